"""Demo appeals in 南明区 and 云岩区, in every state, with their history written through the services at
past moments (the services take `now`): answered and rated, handed off, waiting on the worker, in
arbitration, overdue and escalated, and suggestions from a chair's reception day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from gigunion.appeals.models import Channel, EventKind
from gigunion.appeals.services import (
    AppealInput,
    appeal_confirm,
    appeal_pause,
    appeal_step,
    appeals_escalate,
    reception_day_save,
)
from gigunion.appeals.services import appeal_submit as submit
from gigunion.members.models import Person
from gigunion.orgs.access import jurisdiction_of
from gigunion.orgs.models import StaffAccount, UnionOrganization


def _at(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_appeals(staff: dict[str, StaffAccount], members: list[Person]) -> None:
    nanming = staff["nanming_operator"]
    yunyan = staff["yunyan_operator"]
    jn, jy = jurisdiction_of(nanming.user), jurisdiction_of(yunyan.user)
    assert jn is not None
    assert jy is not None
    rider, driver = members[0], members[-1]

    # A rider's withheld pay: answered the next day, resolved in a week, rated 5 stars.
    wages = submit(
        data=AppealInput(
            category="wage_arrears",
            description="站点以“超时单”为由扣了我上月工资800元，没有任何说明。",
            work_region="520102",
            employer_name="美团",
        ),
        channel=Channel.ONLINE,
        person=rider,
        now=_at(40),
    )
    appeal_step(appeal=wages, kind=EventKind.ACCEPTED, jurisdiction=jn, actor=nanming.user, now=_at(40, 15))
    appeal_step(
        appeal=wages,
        kind=EventKind.FIRST_RESPONSE,
        jurisdiction=jn,
        actor=nanming.user,
        text="已联系站点负责人核实扣款依据，三个工作日内答复您。",
        now=_at(39),
    )
    appeal_step(
        appeal=wages,
        kind=EventKind.RESOLVED,
        jurisdiction=jn,
        actor=nanming.user,
        text="经协调，站点退还扣款800元，并公示超时规则。",
        now=_at(33),
    )
    appeal_confirm(appeal=wages, person=rider, rating=5, satisfied=True, comment="谢谢工会！", now=_at(32))

    # A truck driver laid off without compensation (seed 004): mediation by the district union, resolved.
    dismissal = submit(
        data=AppealInput(
            category="dismissal",
            description="物流公司口头通知不用来了，没有经济补偿，也没有书面解除通知。",
            work_region="520103",
            employer_name="黔运通物流有限公司",
            complexity="complex",
        ),
        channel=Channel.ONLINE,
        person=driver,
        now=_at(60),
    )
    appeal_step(appeal=dismissal, kind=EventKind.ACCEPTED, jurisdiction=jy, actor=yunyan.user, now=_at(60, 16))
    appeal_step(
        appeal=dismissal,
        kind=EventKind.MEDIATION,
        jurisdiction=jy,
        actor=yunyan.user,
        text="区总工会组织劳动争议调解，约定下周二到场。",
        now=_at(58),
    )
    appeal_step(
        appeal=dismissal,
        kind=EventKind.RESOLVED,
        jurisdiction=jy,
        actor=yunyan.user,
        text="调解成功：公司支付经济补偿金2.4万元。",
        now=_at(50),
    )
    appeal_confirm(appeal=dismissal, person=driver, rating=5, satisfied=True, now=_at(49))

    # A platform penalty question, waiting on the worker for a screenshot.
    penalty = submit(
        data=AppealInput(
            category="platform_rules",
            description="平台算法判定我“恶意拒单”，封号三天，申诉无人处理。",
            work_region="520102",
            employer_name="饿了么",
        ),
        channel=Channel.ONLINE,
        person=members[1],
        now=_at(5),
    )
    appeal_pause(
        appeal=penalty,
        jurisdiction=jn,
        actor=nanming.user,
        question="请上传平台处罚通知的截图和当天的接单记录。",
        now=_at(4),
    )

    # A work injury, referred to arbitration after the employer refused.
    injury = submit(
        data=AppealInput(
            category="work_injury",
            description="送餐途中被车撞伤，公司不认可是工伤，拒绝申报。",
            work_region="520102",
            employer_name="贵阳顺达配送服务有限公司",
            complexity="complex",
            contact_name="周强",
            contact_phone="13985109901",
        ),
        channel=Channel.HOTLINE,
        actor=nanming.user,
        now=_at(20),
    )
    appeal_step(
        appeal=injury,
        kind=EventKind.FIRST_RESPONSE,
        jurisdiction=jn,
        actor=nanming.user,
        text="已为您联系法律援助律师，协助申请劳动仲裁。",
        now=_at(20, 15),
    )
    appeal_step(appeal=injury, kind=EventKind.ARBITRATION, jurisdiction=jn, actor=nanming.user, now=_at(12))

    # Never answered: overdue, escalated to the city federation.
    submit(
        data=AppealInput(
            category="overtime_rest",
            description="每天工作超过12小时，站长不让休息。",
            work_region="520103",
            contact_name="刘伟",
            contact_phone="13985109902",
        ),
        channel=Channel.WALK_IN,
        actor=yunyan.user,
        now=_at(30),
    )
    # A reception day at 南明区总工会 with two suggestions logged.
    day = reception_day_save(
        jurisdiction=jn,
        union=UnionOrganization.objects.get(name="南明区总工会"),
        day=timezone.localdate() - timedelta(days=14),
        host="南明区总工会主席",
        place="花果园暖蜂驿站",
        notes="骑手代表8人参加。",
        actor=nanming.user,
    )
    for name, text in (
        ("王磊", "建议在花果园片区增设电动车充电桩。"),
        ("张晓燕", "希望驿站夏天延长开放时间到晚上十点。"),
    ):
        submit(
            data=AppealInput(category="other", description=text, work_region="520102", contact_name=name),
            channel=Channel.RECEPTION_DAY,
            actor=nanming.user,
            reception_day=day,
            now=_at(14, 15),
        )
    # Whatever is overdue by now goes up to the parent union, as the background job would do.
    appeals_escalate()
