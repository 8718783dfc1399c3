"""Founding and worklist events are append-only in the database; the global default founding rules."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from gigunion.core.migration_ops import append_only_trigger

# The rules a union's organizing department recognizes (DOMAIN.md, "25 members"; seed 003).
# People = the larger of 职工人数 and 新就业形态劳动者人数 (ADR 0005).
DEFAULT_RULES = [
    (10, "职工（含新就业形态劳动者）25人以上，应单独建立工会委员会", {"min_people": 25}, "own_committee", "standalone"),
    (
        20,
        "分支机构、加盟、代理或挂靠单位，上级企业已建会，由上级企业工会牵头覆盖",
        {"kinds": ["branch", "franchise", "agent", "affiliated"], "needs_head_union": True},
        "head_union",
        "lead_enterprise",
    ),
    (30, "10人以下的网点、小微单位，就近加入社区（乡镇、街道）工会", {"max_people": 9}, "community_union", "community"),
    (
        40,
        "所在地区已有本行业工会联合会，加入行业工会联合会",
        {"needs_industry_federation": True},
        "industry_federation",
        "industry_driven",
    ),
    (50, "不足25人的单位，联合建立联合基层工会", {}, "joint_union", "joint"),
]


def create_rules(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    FoundingRule = apps.get_model("founding", "FoundingRule")
    if FoundingRule.objects.filter(organization__isnull=True).exists():
        return
    for priority, name, conditions, target, mode in DEFAULT_RULES:
        FoundingRule.objects.create(priority=priority, name=name, target=target, founding_mode=mode, **conditions)


def remove_rules(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("founding", "FoundingRule").objects.filter(organization__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("founding", "0001_initial"), ("core", "0002_auditevent_append_only_trigger")]
    operations = [
        append_only_trigger("founding_worklistevent"),
        append_only_trigger("founding_foundingevent"),
        migrations.RunPython(create_rules, remove_rules),
    ]
