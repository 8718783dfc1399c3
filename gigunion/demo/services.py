"""The demo city: 贵阳市 (Guizhou, seed 000) with federations at each level, staff users, and its employers.

Besides the union tree and staff, the demo city gets an enterprise register (a platform's provincial
company with its branches, a franchise network, delivery agents, freight platforms, 家政, 保安, 网约车
fleets, labor dispatch), grassroots unions that cover part of it, and a worked-on pending-founding
worklist with two founding applications in progress. Everything after the union tree is built through
the real import services and founding services, from CSV made here in memory, so the demo exercises
the same paths staff use. All data is fixed; only deadlines and the application's dates are relative
to today, so the worklist always has something overdue.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from gigunion.core.imports import ImportReport
from gigunion.core.tabular import Column
from gigunion.core.validators import credit_code_check_char, id_check_char
from gigunion.demo.appeals import seed_appeals
from gigunion.demo.campaigns import seed_campaigns
from gigunion.demo.stations import seed_stations
from gigunion.demo.surveys import seed_surveys
from gigunion.enterprises.models import Enterprise
from gigunion.enterprises.services import ENTERPRISE_COLUMNS, enterprises_import
from gigunion.founding.imports import UNION_COLUMNS, unions_import
from gigunion.founding.models import WorklistItem
from gigunion.founding.services import application_advance, application_submit, worklist_item_update, worklist_refresh
from gigunion.ledger.models import SourceKind
from gigunion.ledger.roster import ROSTER_COLUMNS, roster_import
from gigunion.ledger.services import source_for_platform, source_named
from gigunion.members.checks import WorkerInput
from gigunion.members.models import ChannelKind, JoinSource, Membership, Person
from gigunion.members.services import (
    channel_create,
    join_route_save,
    member_join,
    membership_approve,
    membership_retain,
    transfer_request,
)
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.orgs.models import FoundingMode, OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.orgs.services import organization_create, organization_join_approval_set, staff_account_create
from gigunion.platforms.models import Scope
from gigunion.platforms.services import api_key_issue, platform_save
from gigunion.regions.models import Region

PROVINCE_CODE = "520000"
CITY_CODE = "520100"
NANMING = "520102"
YUNYAN = "520103"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    organization: str
    role: str


DEMO_STAFF = [
    ("guizhou_viewer", "陈静", PROVINCE_CODE, StaffRole.VIEWER, ""),
    ("guiyang_admin", "王敏", CITY_CODE, StaffRole.ADMIN, "13985000001"),
    ("nanming_operator", "李娜", NANMING, StaffRole.OPERATOR, "13985000002"),
    ("yunyan_operator", "张伟", YUNYAN, StaffRole.OPERATOR, "13985000003"),
]


class DemoFirm(NamedTuple):
    """One row of the demo enterprise list; `parent` is the key of its head enterprise."""

    key: str
    name: str
    industry: str
    region: str  # a 9-digit street or township code
    employees: int
    gig_workers: int
    kind: str  # the Chinese name of the kind, as staff write it
    parent: str = ""
    address: str = ""


EXPRESS, FREIGHT, DELIVERY, RIDE_HAILING = "快递物流", "道路货物运输", "外卖配送", "网约车"
DOMESTIC, SECURITY, STAFFING, CHAUFFEUR = "家政服务", "保安服务", "人力资源服务", "代驾"

# People who could join = the larger of the two headcounts; the default rules split at 25 and at 9.
DEMO_FIRMS = [
    # 顺丰: the provincial company (covered by its own union, which leads coverage of its branches and outlets).
    DemoFirm("sf", "贵州顺丰速运有限公司", EXPRESS, "520115005", 1260, 2300, "平台总部", "", "观山湖区金阳南路6号"),
    DemoFirm("sf_nm", "贵州顺丰速运有限公司南明分公司", EXPRESS, "520102003", 56, 180, "分支机构", "sf"),
    DemoFirm("sf_yy", "贵州顺丰速运有限公司云岩分公司", EXPRESS, "520103006", 48, 150, "分支机构", "sf"),
    DemoFirm("sf_hx", "贵州顺丰速运有限公司花溪分公司", EXPRESS, "520111005", 31, 95, "分支机构", "sf"),
    DemoFirm("sf_gsh", "贵州顺丰速运有限公司观山湖分公司", EXPRESS, "520115003", 35, 110, "分支机构", "sf"),
    DemoFirm("sf_hgy", "顺丰速运贵阳花果园营业部", EXPRESS, "520102018", 4, 22, "分支机构", "sf_nm"),
    DemoFirm("sf_yzj", "顺丰速运贵阳油榨街营业部", EXPRESS, "520102012", 3, 16, "分支机构", "sf_nm"),
    DemoFirm("sf_ldb", "顺丰速运贵阳龙洞堡营业部", EXPRESS, "520102015", 2, 18, "分支机构", "sf_nm"),
    DemoFirm("sf_tcq", "顺丰速运贵阳太慈桥营业部", EXPRESS, "520102010", 1, 8, "分支机构", "sf_nm"),
    DemoFirm("sf_xy", "顺丰速运贵阳湘雅营业部", EXPRESS, "520102011", 2, 12, "分支机构", "sf_nm"),
    DemoFirm("sf_sq", "顺丰速运贵阳三桥营业部", EXPRESS, "520103010", 3, 17, "分支机构", "sf_yy"),
    DemoFirm("sf_qld", "顺丰速运贵阳黔灵东路营业部", EXPRESS, "520103007", 2, 11, "分支机构", "sf_yy"),
    DemoFirm("sf_jg", "顺丰速运贵阳金关营业部", EXPRESS, "520103012", 1, 7, "分支机构", "sf_yy"),
    DemoFirm("sf_ya", "顺丰速运贵阳渔安营业部", EXPRESS, "520103017", 2, 13, "分支机构", "sf_yy"),
    DemoFirm("sf_jy", "顺丰速运贵阳金阳营业部", EXPRESS, "520115005", 3, 21, "分支机构", "sf_gsh"),
    DemoFirm("sf_yc", "顺丰速运贵阳白云云城营业部", EXPRESS, "520113013", 1, 9, "分支机构", "sf"),
    # 中通: a franchise network in 南明区; the head is covered, some franchisees are, the rest are pending.
    DemoFirm("zt", "贵州中通快递服务有限公司", EXPRESS, "520102015", 210, 340, "平台总部", "", "南明区龙洞堡机场路"),
    DemoFirm("zt_hgy", "贵阳市南明区捷达快递服务部（中通快递花果园网点）", EXPRESS, "520102018", 3, 12, "加盟", "zt"),
    DemoFirm("zt_xhl", "贵阳市南明区顺通快递服务部（中通快递新华路网点）", EXPRESS, "520102003", 2, 9, "加盟", "zt"),
    DemoFirm("zt_eg", "贵阳市南明区通远快递服务部（中通快递二戈网点）", EXPRESS, "520102014", 2, 8, "加盟", "zt"),
    DemoFirm("zt_sc", "贵阳市南明区飞达快递服务部（中通快递沙冲路网点）", EXPRESS, "520102009", 3, 14, "加盟", "zt"),
    DemoFirm("zt_lhd", "贵阳市南明区迅诚快递服务部（中通快递兰花都网点）", EXPRESS, "520102019", 2, 11, "加盟", "zt"),
    DemoFirm("zt_wc", "贵阳市南明区宏运快递服务部（中通快递望城网点）", EXPRESS, "520102017", 1, 6, "加盟", "zt"),
    # Other express outlets and parcel stations of 南明区.
    DemoFirm("yd_nm", "贵阳南明韵达快递有限公司", EXPRESS, "520102005", 12, 38, "加盟"),
    DemoFirm("yt_nm", "贵阳市南明区圆通速递服务部", EXPRESS, "520102008", 4, 19, "加盟"),
    DemoFirm("st_nm", "贵阳市南明区申通快递服务部", EXPRESS, "520102016", 3, 15, "加盟"),
    DemoFirm("jt_nm", "贵阳市南明区极兔速递服务部", EXPRESS, "520102013", 2, 13, "加盟"),
    DemoFirm("cn_xy", "贵阳市南明区菜鸟驿站湘雅店", EXPRESS, "520102011", 2, 3, "其他"),
    DemoFirm("cn_hgy", "贵阳市南明区菜鸟驿站花果园彭家湾店", EXPRESS, "520102018", 1, 2, "其他"),
    DemoFirm("hk_ldb", "贵州龙洞堡航空物流有限公司", EXPRESS, "520102015", 86, 40, "其他"),
    # Delivery agents (代理) of 美团 and 饿了么, and their stations.
    DemoFirm("mt_nm", "贵阳筑骑配送服务有限公司（美团外卖南明区代理商）", DELIVERY, "520102018", 18, 420, "代理"),
    DemoFirm("mt_zhn", "贵阳市南明区快驰配送站（美团外卖中华南路站）", DELIVERY, "520102005", 2, 23, "代理", "mt_nm"),
    DemoFirm("mt_xhl", "贵阳市南明区快驰配送站（美团外卖新华路站）", DELIVERY, "520102003", 1, 19, "代理", "mt_nm"),
    DemoFirm("elm_nm", "贵阳蜂驰配送服务有限公司（饿了么南明区代理商）", DELIVERY, "520102007", 12, 260, "代理"),
    DemoFirm("elm_hb", "贵阳市南明区蜂驰配送站（饿了么河滨站）", DELIVERY, "520102006", 1, 15, "代理", "elm_nm"),
    DemoFirm("mt_yy", "贵阳云骑配送服务有限公司（美团外卖云岩区代理商）", DELIVERY, "520103007", 15, 380, "代理"),
    DemoFirm("mt_dyl", "贵阳市云岩区云骑配送站（美团外卖大营路站）", DELIVERY, "520103006", 1, 21, "代理", "mt_yy"),
    DemoFirm("mt_qld", "贵阳市云岩区云骑配送站（美团外卖黔灵东路站）", DELIVERY, "520103007", 1, 18, "代理", "mt_yy"),
    DemoFirm("elm_yy", "贵阳市云岩区蜂鸟即配市西河站", DELIVERY, "520103004", 1, 16, "代理"),
    DemoFirm("mt_gsh", "贵阳金骑配送服务有限公司（美团外卖观山湖区代理商）", DELIVERY, "520115005", 14, 310, "代理"),
    DemoFirm("elm_hx", "贵阳市花溪区蜂鸟即配溪北站", DELIVERY, "520111004", 1, 14, "代理"),
    # Freight: 满帮 (its union covers the platform), a 货拉拉-like city freight platform and its city agents.
    DemoFirm("mb", "贵阳货车帮科技有限公司", FREIGHT, "520115006", 980, 0, "平台总部", "", "观山湖区长岭北路"),
    DemoFirm("mb_wl", "贵阳货车帮科技有限公司物流园服务站", FREIGHT, "520115004", 6, 14, "分支机构", "mb"),
    DemoFirm("ht", "贵州黔运通物流科技有限公司", FREIGHT, "520103006", 140, 1600, "平台总部", "", "云岩区大营路"),
    DemoFirm(
        "ht_yy", "贵阳市云岩区速运通货运代理服务部（黔运通云岩城市代理）", FREIGHT, "520103004", 3, 18, "代理", "ht"
    ),
    DemoFirm(
        "ht_by", "贵阳市白云区安运货运代理服务部（黔运通白云城市代理）", FREIGHT, "520113001", 2, 12, "代理", "ht"
    ),
    DemoFirm("ht_hx", "贵阳市花溪区畅运货运代理服务部（黔运通花溪城市代理）", FREIGHT, "520111002", 2, 9, "代理", "ht"),
    DemoFirm("hy_mw", "贵阳云岩恒通货运有限公司", FREIGHT, "520103013", 8, 22, "其他"),
    DemoFirm("hy_cyl", "贵阳市云岩区顺达搬家服务部", FREIGHT, "520103014", 4, 11, "其他"),
    DemoFirm("hy_yh", "贵阳云岩大件物流有限公司", FREIGHT, "520103015", 6, 16, "其他"),
    DemoFirm("hy_sdl", "贵阳市云岩区鑫达货运部", FREIGHT, "520103016", 2, 6, "其他"),
    DemoFirm("hy_qlz", "贵州筑运冷链物流有限公司", FREIGHT, "520103100", 40, 30, "其他"),
    DemoFirm("hy_jg", "贵阳金关物流园运输服务有限公司", FREIGHT, "520103012", 12, 20, "其他"),
    DemoFirm("hy_ldb", "贵州黔通物流有限公司", FREIGHT, "520102015", 35, 60, "其他"),
    DemoFirm("hy_by", "贵阳白云铝城物流有限公司", FREIGHT, "520113014", 26, 40, "其他"),
    DemoFirm("hy_qz", "清镇市黔中货运有限公司", FREIGHT, "520181002", 12, 30, "其他"),
    # 家政 and care.
    DemoFirm("jz_xhl", "贵阳南明巾帼家政服务有限公司", DOMESTIC, "520102004", 16, 60, "其他"),
    DemoFirm("jz_wlc", "贵阳市南明区安心家政服务部", DOMESTIC, "520102001", 3, 8, "其他"),
    DemoFirm("jz_xch", "贵阳筑家护理服务有限公司", DOMESTIC, "520102002", 9, 21, "其他"),
    DemoFirm("jz_yxl", "贵阳云岩好管家家政服务有限公司", DOMESTIC, "520103002", 12, 20, "其他"),
    DemoFirm("jz_bgy", "贵阳市云岩区贴心月嫂服务部", DOMESTIC, "520103003", 3, 9, "其他"),
    DemoFirm("jz_ptl", "贵阳市云岩区康宁护工服务部", DOMESTIC, "520103005", 2, 14, "其他"),
    DemoFirm("jz_tq", "贵阳筑城家政服务有限公司", DOMESTIC, "520103009", 10, 24, "其他"),
    DemoFirm("jz_ywj", "贵阳市云岩区洁美保洁服务部", DOMESTIC, "520103011", 2, 7, "其他"),
    DemoFirm("jz_wcg", "贵州黔嫂家政服务有限公司", DOMESTIC, "520103001", 25, 180, "其他"),
    DemoFirm("jz_wqm", "贵阳市云岩区爱邻居家养老服务中心", DOMESTIC, "520103008", 6, 12, "其他"),
    DemoFirm("jz_hx", "贵阳花溪贴心家政服务有限公司", DOMESTIC, "520111001", 5, 15, "其他"),
    DemoFirm("jz_wd", "贵阳市乌当区乐家家政服务部", DOMESTIC, "520112002", 2, 5, "其他"),
    # 保安.
    DemoFirm("ba_nm", "贵阳市南明区保安服务有限公司", SECURITY, "520102005", 260, 0, "其他"),
    DemoFirm("ba_sc", "贵州卫士保安服务有限公司", SECURITY, "520102009", 45, 0, "其他"),
    DemoFirm("ba_yy", "贵州黔安保安服务有限公司", SECURITY, "520103002", 420, 0, "其他"),
    DemoFirm("ba_sq", "贵阳云岩金盾保安服务有限公司", SECURITY, "520103010", 38, 0, "其他"),
    DemoFirm("ba_cyl", "贵阳市云岩区平安护卫服务部", SECURITY, "520103014", 9, 0, "其他"),
    # 网约车: fleets affiliated (挂靠) to car-rental companies, a local ride-hailing platform and its fleets.
    DemoFirm(
        "wyc", "贵州享约出行科技有限公司", RIDE_HAILING, "520115002", 86, 5200, "平台总部", "", "观山湖区林城西路"
    ),
    DemoFirm("wyc_by", "贵阳观山湖鑫程汽车租赁有限公司", RIDE_HAILING, "520115001", 4, 36, "挂靠", "wyc"),
    DemoFirm("wyc_gs", "贵阳观山湖畅途汽车服务有限公司", RIDE_HAILING, "520115003", 3, 22, "挂靠", "wyc"),
    DemoFirm("wyc_jhy", "贵阳观山湖优驾汽车租赁有限公司", RIDE_HAILING, "520115004", 2, 18, "挂靠", "wyc"),
    DemoFirm("wyc_cl", "贵阳市观山湖区安途汽车服务部", RIDE_HAILING, "520115007", 1, 12, "挂靠", "wyc"),
    DemoFirm("wyc_sjc", "贵阳市观山湖区捷顺汽车服务部", RIDE_HAILING, "520115006", 1, 7, "挂靠", "wyc"),
    DemoFirm("wyc_tcq", "贵阳南明通达汽车租赁有限公司", RIDE_HAILING, "520102010", 6, 48, "挂靠"),
    DemoFirm("wyc_yzj", "贵阳市南明区顺捷汽车服务部", RIDE_HAILING, "520102012", 2, 9, "挂靠"),
    DemoFirm("wyc_ywj", "贵阳云岩畅行汽车租赁有限公司", RIDE_HAILING, "520103011", 5, 62, "挂靠"),
    DemoFirm("wyc_yh", "贵阳市云岩区易达汽车服务部", RIDE_HAILING, "520103015", 2, 14, "挂靠"),
    DemoFirm("dj_gsh", "贵阳观山湖e代驾服务有限公司", CHAUFFEUR, "520115005", 6, 140, "其他"),
    # Labor dispatch and outsourcing of riders and couriers.
    DemoFirm("lw_xg", "贵州黔人力劳务派遣有限公司", STAFFING, "520102008", 22, 130, "劳务派遣"),
    DemoFirm("lw_xy", "贵阳众力人力资源服务有限公司", STAFFING, "520102011", 8, 40, "外包"),
    DemoFirm("lw_wqm", "贵州众邦人力资源服务有限公司", STAFFING, "520103008", 30, 210, "劳务派遣"),
    DemoFirm("lw_sdl", "贵阳云岩捷聘劳务外包有限公司", STAFFING, "520103016", 6, 48, "外包"),
    # Express in the outer districts.
    DemoFirm("kd_hx", "贵阳花溪大学城快递服务中心有限公司", EXPRESS, "520111003", 8, 24, "其他"),
    DemoFirm("kd_wd", "贵阳乌当速达快递有限公司", EXPRESS, "520112001", 6, 19, "加盟"),
    DemoFirm("cn_sq", "贵阳市云岩区菜鸟驿站三桥店", EXPRESS, "520103010", 1, 3, "其他"),
]


class DemoUnion(NamedTuple):
    """One row of the demo union list (工会组织名册); `covered` are keys of DEMO_FIRMS."""

    name: str
    type: str
    founding_mode: str
    parent: str  # the higher union's exact name; "" lets the import place it under its street's union
    region: str
    founded_on: str
    chair: str
    covered: tuple[str, ...]
    industry: str = ""


DEMO_UNIONS = [
    DemoUnion(
        "贵州顺丰速运有限公司工会",
        "企业工会",
        "牵头建",
        "贵阳市总工会",
        CITY_CODE,
        "2021-06-18",
        "杨帆",
        ("sf", "sf_nm", "sf_yy", "sf_hx", "sf_gsh", "sf_hgy", "sf_yzj", "sf_sq", "sf_ya", "sf_jy"),
    ),
    DemoUnion(
        "贵州中通快递服务有限公司工会",
        "企业工会",
        "牵头建",
        "南明区总工会",
        NANMING,
        "2022-03-25",
        "周明",
        ("zt", "zt_hgy", "zt_xhl"),
    ),
    DemoUnion(
        "贵阳货车帮科技有限公司工会",
        "企业工会",
        "单独建",
        "观山湖区总工会",
        "520115006",
        "2019-11-08",
        "罗建华",
        ("mb",),
    ),
    DemoUnion(
        "贵州黔运通物流科技有限公司工会",
        "企业工会",
        "牵头建",
        "贵阳市总工会",
        CITY_CODE,
        "2022-08-16",
        "吴涛",
        ("ht", "ht_hx"),
    ),
    DemoUnion(
        "贵阳市南明区保安服务有限公司工会", "企业工会", "单独建", "", "520102005", "2016-05-12", "刘刚", ("ba_nm",)
    ),
    DemoUnion(
        "贵州黔安保安服务有限公司工会", "企业工会", "单独建", "", "520103002", "2015-09-01", "赵德明", ("ba_yy",)
    ),
    DemoUnion("贵州黔嫂家政服务有限公司工会", "企业工会", "单独建", "", "520103001", "2020-12-10", "陈芳", ("jz_wcg",)),
    DemoUnion(
        "贵州众邦人力资源服务有限公司工会", "企业工会", "单独建", "", "520103008", "2021-04-20", "黄磊", ("lw_wqm",)
    ),
    DemoUnion(
        "贵阳云骑配送服务有限公司工会",
        "企业工会",
        "单独建",
        "云岩区总工会",
        YUNYAN,
        "2022-06-30",
        "孙浩",
        ("mt_yy", "mt_qld"),
    ),
    DemoUnion(
        "南明区快递物流行业工会联合会",
        "行业工会联合会",
        "推动建",
        "南明区总工会",
        NANMING,
        "2021-09-10",
        "何丽",
        ("yt_nm", "st_nm"),
        EXPRESS,
    ),
    DemoUnion(
        "南明区网约送餐员联合工会",
        "联合基层工会",
        "联合建",
        "南明区总工会",
        NANMING,
        "2021-10-15",
        "郑强",
        ("elm_nm", "mt_zhn"),
    ),
    DemoUnion(
        "云岩区货车司机工会联合会",
        "行业工会联合会",
        "推动建",
        "云岩区总工会",
        YUNYAN,
        "2021-08-20",
        "马林",
        ("hy_mw", "hy_cyl", "hy_jg"),
        FREIGHT,
    ),
    DemoUnion(
        "云岩区家政服务业联合工会",
        "联合基层工会",
        "联合建",
        "云岩区总工会",
        YUNYAN,
        "2022-01-18",
        "田静",
        ("jz_yxl", "jz_bgy", "jz_ptl"),
    ),
    DemoUnion(
        "观山湖区网约车司机工会",
        "行业工会联合会",
        "推动建",
        "观山湖区总工会",
        "520115",
        "2022-05-06",
        "龙飞",
        ("wyc_gs", "wyc_jhy"),
        RIDE_HAILING,
    ),
    DemoUnion(
        "花果园街道新就业形态劳动者社区工会",
        "社区工会",
        "社区建",
        "花果园街道工会",
        "520102018",
        "2023-03-08",
        "潘红",
        ("cn_hgy",),
    ),
    DemoUnion(
        "三桥路街道新就业形态劳动者社区工会",
        "社区工会",
        "社区建",
        "三桥路街道工会",
        "520103010",
        "2023-04-21",
        "蒋丽",
        ("cn_sq",),
    ),
    DemoUnion(
        "花溪区新业态联合工会",
        "联合基层工会",
        "联合建",
        "花溪区总工会",
        "520111",
        "2023-06-12",
        "王芳",
        ("kd_hx", "jz_hx"),
    ),
]

# Worklist items staff are working on: (enterprise key, assignee, state, deadline in days from today, note).
DEMO_WORK = [
    ("sf_ldb", "nanming_operator", "contacted", -6, "已与营业部经理电话联系，待顺丰工会统一吸纳"),
    ("sf_tcq", "nanming_operator", "not_started", 14, ""),
    ("sf_xy", "nanming_operator", "contacted", 7, "营业部同意加入顺丰工会，等待分公司工会安排"),
    ("zt_eg", "nanming_operator", "not_started", -3, ""),
    ("zt_sc", "nanming_operator", "contacted", 10, "网点负责人同意加入中通工会"),
    ("jt_nm", "nanming_operator", "contacted", -2, "负责人外出，约定下周再访"),
    ("mt_nm", "nanming_operator", "contacted", 30, "代理商有建会意愿，已指导准备建会申请"),
    ("mt_xhl", "nanming_operator", "contacted", 30, "随代理商一并建会"),
    ("ba_sc", "nanming_operator", "preparing", 21, "已成立工会筹备组"),
    ("jz_xhl", "nanming_operator", "not_started", 20, ""),
    ("lw_xg", "nanming_operator", "contacted", -10, "派遣公司要求先了解会费标准"),
    ("wyc_tcq", "nanming_operator", "not_started", 25, ""),
    ("zt_wc", "nanming_operator", "not_applicable", None, "该网点已停业，人员并入中通快递花果园网点"),
    ("ht_yy", "yunyan_operator", "contacted", -4, "城市代理表示待黔运通工会统一安排"),
    ("hy_yh", "yunyan_operator", "preparing", 15, "拟加入云岩区货车司机工会联合会"),
    ("hy_qlz", "yunyan_operator", "contacted", 12, ""),
    ("jz_tq", "yunyan_operator", "contacted", 30, "与爱邻居家养老服务中心联合建会"),
    ("ba_sq", "yunyan_operator", "not_started", -1, ""),
    ("mt_dyl", "yunyan_operator", "contacted", 9, "站长同意加入云骑配送工会"),
    ("wyc_ywj", "yunyan_operator", "not_started", 28, ""),
    ("lw_sdl", "yunyan_operator", "contacted", -8, "外包公司人员流动大，正在核实人数"),
]


def demo_is_seeded() -> bool:
    return UnionOrganization.objects.exists()


_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


def demo_credit_code(county: str, serial: int, *, individual: bool = False) -> str:
    """A valid, made-up credit code: 91 (company) or 92 (individual business), the county, 'MA6' and a serial.

    The 18th character is the GB 32100 check character, so the import's validation accepts it.
    """
    number = (serial * 7919 + 104729) % 31**6  # a bijection of the serial, so codes differ and look varied
    tail = ""
    for _ in range(6):
        number, digit = divmod(number, 31)
        tail = _CREDIT_CHARSET[digit] + tail
    first17 = f"{'92' if individual else '91'}{county}MA6{tail}"
    return first17 + credit_code_check_char(first17)


def _is_individual(name: str) -> bool:
    return any(word in name for word in ("服务部", "驿站", "配送站", "即配", "货运部"))


def demo_firm_codes() -> dict[str, str]:
    """The credit code of each demo enterprise, by key."""
    return {
        firm.key: demo_credit_code(firm.region[:6], serial, individual=_is_individual(firm.name))
        for serial, firm in enumerate(DEMO_FIRMS, start=1)
    }


def _csv(columns: list[Column], rows: list[dict[str, str]]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in columns])
    return stream.getvalue().encode("utf-8")


def _require_clean(report: ImportReport, what: str) -> None:
    if report.errors:
        raise RuntimeError(f"The demo {what} did not import cleanly: {report.errors[:3]}")


def _seed_enterprises_and_unions(codes: dict[str, str]) -> None:
    enterprise_rows = [
        {
            "name": firm.name,
            "credit_code": codes[firm.key],
            "industry": firm.industry,
            "region": firm.region,
            "address": f"贵阳市{firm.address}" if firm.address else "",
            "employees": str(firm.employees),
            "gig_workers": str(firm.gig_workers),
            "kind": firm.kind,
            "parent_credit_code": codes[firm.parent] if firm.parent else "",
        }
        for firm in DEMO_FIRMS
    ]
    _require_clean(
        enterprises_import(data=_csv(ENTERPRISE_COLUMNS, enterprise_rows), filename="demo.csv"), "enterprises"
    )
    union_rows = [
        {
            "name": union.name,
            "type": union.type,
            "founding_mode": union.founding_mode,
            "parent": union.parent,
            "region": union.region,
            "founded_on": union.founded_on,
            "covered": "、".join(codes[key] for key in union.covered),
            "chair": union.chair,
            "industry": union.industry,
        }
        for union in DEMO_UNIONS
    ]
    _require_clean(unions_import(data=_csv(UNION_COLUMNS, union_rows), filename="demo.csv"), "unions")


def _seed_worklist(codes: dict[str, str], staff: dict[str, StaffAccount], today: date) -> None:
    worklist_refresh()
    items = {
        item.enterprise.credit_code: item
        for item in WorklistItem.objects.filter(enterprise__credit_code__in=codes.values()).select_related("enterprise")
    }
    for key, username, state, days, note in DEMO_WORK:
        account = staff[username]
        worklist_item_update(
            item=items[codes[key]],
            actor=account.user,
            state=state,
            assignee=account,
            deadline=today + timedelta(days=days) if days is not None else None,
            note=note,
        )


def _seed_applications(codes: dict[str, str], staff: dict[str, StaffAccount], today: date) -> None:
    """One application just submitted to 南明区总工会, one at its election awaiting 云岩区总工会's approval."""

    def enterprises(*keys: str) -> list[Enterprise]:
        return list(Enterprise.objects.filter(credit_code__in=[codes[key] for key in keys]).order_by("pk"))

    def login(username: str) -> tuple[User, Jurisdiction]:
        user = staff[username].user
        return user, require_jurisdiction(user)

    regions = {region.code: region for region in Region.objects.filter(code__in=[NANMING, YUNYAN])}
    parents = {
        org.region_id: org for org in UnionOrganization.objects.filter(name__in=["南明区总工会", "云岩区总工会"])
    }
    nanming_user, nanming = login("nanming_operator")
    application_submit(
        actor=nanming_user,
        jurisdiction=nanming,
        name="贵阳筑骑配送服务有限公司工会",
        organization_type=OrganizationType.ENTERPRISE,
        founding_mode=FoundingMode.STANDALONE,
        region=regions[NANMING],
        parent=parents[NANMING],
        enterprises=enterprises("mt_nm", "mt_xhl"),
        contact_name="韦小青",
        expected_members=380,
    )
    yunyan_user, yunyan = login("yunyan_operator")
    city_user, city = login("guiyang_admin")
    application = application_submit(
        actor=yunyan_user,
        jurisdiction=yunyan,
        name="云岩区居家养老护理服务联合工会",
        organization_type=OrganizationType.JOINT,
        founding_mode=FoundingMode.JOINT,
        region=regions[YUNYAN],
        parent=parents[YUNYAN],
        enterprises=enterprises("jz_tq", "jz_wqm"),
        contact_name="杜娟",
        expected_members=32,
    )
    application = application_advance(
        application=application, actor=city_user, jurisdiction=city, note="同意筹建，请按程序召开会员大会"
    )
    congress_on = today - timedelta(days=12)
    application = application_advance(
        application=application,
        actor=yunyan_user,
        jurisdiction=yunyan,
        congress_on=congress_on,
        congress_attendance=29,
    )
    application_advance(
        application=application,
        actor=yunyan_user,
        jurisdiction=yunyan,
        chair_name="刘艳",
        committee_size=5,
        term_start=congress_on,
        term_end=congress_on + timedelta(days=5 * 365),
    )


# Demo workers: (name, birth date, sequence, occupation, platform, work region, employer key, join place,
# days since joining). ID numbers are built with their check character from the region code of each
# worker's home county; phones are 139 8510 xxxx. Workers with an employer covered by a union join it;
# the others join by the rules below or their street's union.
DEMO_WORKERS = [
    ("陈小军", "19950312", "003", "delivery_rider", "美团", "520102018", "mt_nm", "", 60),
    ("刘洋", "20000101", "011", "delivery_rider", "美团", "520102005", "mt_zhn", "", 45),
    ("王磊", "19920518", "031", "delivery_rider", "饿了么", "520102007", "elm_nm", "", 30),
    ("张晓燕", "19980823", "042", "delivery_rider", "美团", "520102003", "", "", 20),
    ("李强", "19870411", "053", "delivery_rider", "饿了么", "520102006", "", "", 400),
    ("杨帆", "19960917", "071", "delivery_rider", "美团", "520102018", "", "", 380),
    ("吴刚", "19850226", "095", "courier", "顺丰", "520102005", "sf_nm", "", 90),
    ("赵丽", "19930630", "104", "courier", "中通", "520102009", "zt_sc", "", 15),
    ("孙浩", "19900109", "117", "courier", "", "520102018", "", "", 12),
    ("周敏", "19890714", "122", "courier", "京东", "520102011", "", "", 8),
    ("买买提·艾力", "19910305", "139", "delivery_rider", "美团", "520102018", "", "工作地", 5),
    ("黄伟", "19831120", "151", "ride_hailing_driver", "滴滴出行", "520102010", "", "", 200),
    ("郑军", "19780802", "177", "truck_driver", "满帮", "520103006", "ht", "", 150),
    ("马建国", "19880405", "002", "truck_driver", "满帮", "520103004", "", "", 120),
    ("冯雪", "19940419", "188", "domestic_worker", "好活", "520103001", "jz_wcg", "", 70),
    ("何芳", "19820127", "196", "domestic_worker", "", "520103002", "", "", 3),
    ("许静", "19990611", "204", "domestic_worker", "好活", "520103008", "", "", 2),
    ("罗勇", "19860903", "213", "delivery_rider", "美团", "520103007", "mt_yy", "", 40),
    ("邓超", "19970222", "229", "delivery_rider", "饿了么", "520103004", "elm_yy", "", 390),
    ("谢宇", "19920707", "235", "security_guard", "", "520103002", "ba_yy", "", 300),
    ("韦明", "19950110", "241", "ride_hailing_driver", "滴滴出行", "520115003", "wyc_gs", "", 100),
    ("蒙丽", "19910816", "256", "ride_hailing_driver", "曹操出行", "520115001", "", "", 25),
    ("石磊", "19880530", "262", "ride_hailing_driver", "滴滴出行", "520115004", "", "", 10),
    ("龙飞", "19930312", "279", "designated_driver", "e代驾", "520102005", "", "输出地", 35),
]
# Home counties of the demo workers (ID number address codes), in the order above.
DEMO_WORKER_HOMES = [
    "520102",
    "522422",
    "520103",
    "522701",
    "520102",
    "522601",
    "520111",
    "520102",
    "522725",
    "520113",
    "653101",
    "520102",
    "520121",
    "520103",
    "522423",
    "520103",
    "520112",
    "522622",
    "520102",
    "520115",
    "522731",
    "520115",
    "520114",
    "522401",
]
DEMO_JOIN_ROUTES = [
    (NANMING, "delivery_rider", "南明区网约送餐员联合工会", "南明区外卖骑手统一加入联合工会"),
    (YUNYAN, "domestic_worker", "云岩区家政服务业联合工会", ""),
    ("520115", "ride_hailing_driver", "观山湖区网约车司机工会", ""),
]


@transaction.atomic
def demo_seed() -> None:
    """Create the demo organizations, staff, enterprises, coverage and worklist. Requires the regions."""
    regions = {region.code: region for region in Region.objects.filter(code__startswith="5201")}
    province = Region.objects.get(code=PROVINCE_CODE)
    city = regions[CITY_CODE]
    national = organization_create(
        name="中华全国总工会", organization_type=OrganizationType.NATIONAL_FEDERATION, region=None
    )
    by_region: dict[str, UnionOrganization] = {}
    by_region[PROVINCE_CODE] = organization_create(
        name="贵州省总工会", organization_type=OrganizationType.FEDERATION, region=province, parent=national
    )
    by_region[CITY_CODE] = organization_create(
        name="贵阳市总工会", organization_type=OrganizationType.FEDERATION, region=city, parent=by_region[PROVINCE_CODE]
    )
    counties = sorted((r for r in regions.values() if r.parent_id == CITY_CODE), key=lambda r: r.code)
    for county in counties:
        by_region[county.code] = organization_create(
            name=f"{county.name}总工会",
            organization_type=OrganizationType.FEDERATION,
            region=county,
            parent=by_region[CITY_CODE],
        )
    for county_code in (NANMING, YUNYAN):
        townships = sorted((r for r in regions.values() if r.parent_id == county_code), key=lambda r: r.code)
        for township in townships:
            by_region[township.code] = organization_create(
                name=f"{township.name}工会",
                organization_type=OrganizationType.TOWNSHIP,
                region=township,
                parent=by_region[county_code],
            )
    staff = {
        username: staff_account_create(
            username=username,
            password=settings.DEMO_PASSWORD,
            display_name=display_name,
            organization=by_region[region_code],
            role=role,
            phone=phone,
        )
        for username, display_name, region_code, role, phone in DEMO_STAFF
    }
    codes = demo_firm_codes()
    today = timezone.localdate()
    _seed_enterprises_and_unions(codes)
    _seed_worklist(codes, staff, today)
    _seed_applications(codes, staff, today)
    _seed_members(codes, staff, today)
    _seed_ledger(staff, today)
    members = list(Person.objects.filter(card_number__isnull=False).order_by("pk")[:8])
    seed_stations(staff, today, members)
    seed_appeals(staff, members)
    seed_surveys(staff)
    seed_campaigns(staff)


def _id_number(home: str, birth: str, sequence: str) -> str:
    first17 = f"{home}{birth}{sequence}"
    return first17 + id_check_char(first17)


def demo_worker_phone(index: int) -> str:
    """The phone of the index-th demo worker (log in to the worker pages with it; the code is in the log)."""
    return f"1398510{index:04d}"


def _seed_members(codes: dict[str, str], staff: dict[str, StaffAccount], today: date) -> None:
    """Join rules, QR channels and two dozen workers who joined through the real join service."""
    nanming_user = staff["nanming_operator"].user
    nanming = require_jurisdiction(nanming_user)
    city_user = staff["guiyang_admin"].user
    city = require_jurisdiction(city_user)
    unions = {union.name: union for union in UnionOrganization.objects.all()}
    for region_code, occupation, union_name, note in DEMO_JOIN_ROUTES:
        join_route_save(
            region=Region.objects.get(code=region_code),
            occupation=occupation,
            union=unions[union_name],
            note=note,
            actor=city_user,
            jurisdiction=city,
        )
    organization_join_approval_set(organization=unions["云岩区家政服务业联合工会"], requires_approval=True)
    riders = channel_create(
        kind=ChannelKind.UNION,
        name="南明区网约送餐员联合工会入会码",
        union=unions["南明区网约送餐员联合工会"],
        region=Region.objects.get(code=NANMING),
        actor=nanming_user,
        jurisdiction=nanming,
    )
    station = channel_create(
        kind=ChannelKind.STATION,
        name="花果园户外劳动者服务站",
        union=unions["南明区总工会"],
        region=Region.objects.get(code="520102018"),
        actor=nanming_user,
        jurisdiction=nanming,
    )
    ceremony = channel_create(
        kind=ChannelKind.CAMPAIGN,
        name="2026年新就业形态劳动者集中入会仪式",
        union=unions["贵阳市总工会"],
        region=Region.objects.get(code=CITY_CODE),
        actor=city_user,
        jurisdiction=city,
    )
    firms = {firm.key: firm for firm in DEMO_FIRMS}
    memberships: dict[str, Membership] = {}
    for index, (row, home) in enumerate(zip(DEMO_WORKERS, DEMO_WORKER_HOMES, strict=True), start=1):
        name, birth, sequence, occupation, platform, region, employer, place, days = row
        channel = riders if index <= 3 else station if index <= 10 else ceremony if index % 2 else None
        outcome = member_join(
            data=WorkerInput(
                name=name,
                id_number=_id_number(home, birth, sequence),
                phone=demo_worker_phone(index),
                occupation=occupation,
                platform=platform,
                employer_name=firms[employer].name if employer else "",
                employer_credit_code=codes[employer] if employer else "",
                work_region=region,
                join_place=place,
            ),
            source=JoinSource.QR if channel is not None else JoinSource.ONE_TAP,
            phone_verified=True,
            channel=channel,
            today=today - timedelta(days=days),
        )
        if outcome.membership is None:
            raise RuntimeError(f"demo worker {name} did not join: {outcome.status}")
        memberships[name] = outcome.membership
    yunyan_user = staff["yunyan_operator"].user
    transfer_request(
        membership=memberships["王磊"],
        to_union=unions["云岩区总工会"],
        actor=nanming_user,
        jurisdiction=nanming,
        reason="改到云岩区送货，本人申请转入",
    )
    membership_retain(
        membership=memberships["孙浩"], actor=nanming_user, jurisdiction=nanming, reason="离职待业，保留会籍"
    )
    membership_approve(
        membership=memberships["何芳"], actor=yunyan_user, jurisdiction=require_jurisdiction(yunyan_user)
    )


def demo_logins() -> list[DemoLogin]:
    accounts = StaffAccount.objects.filter(user__username__in=[row[0] for row in DEMO_STAFF]).select_related(
        "organization", "user"
    )
    return [
        DemoLogin(
            username=account.user.get_username(),
            name=account.display_name,
            organization=account.organization.name,
            role=str(StaffRole(account.role).label),
        )
        for account in accounts.order_by("organization__depth", "user__username")
    ]


# The worker ledger (清底数): platforms with a data agreement, and rosters from a platform, a
# department and a survey that overlap, so reconciliation has people listed by several sources, members
# and the not-yet-joined. Generated workers: surname × given name, homes across 贵州, phones 139 8510 2xxx.
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "涛", "明", "超", "霞", "平", "刚"]
_HOMES = ["520102", "520103", "520111", "520112", "520113", "520121", "522401", "522601", "522701", "520181"]
_RIDER_REGIONS = ["520102003", "520102005", "520102007", "520102018", "520103001", "520103004", "520103007"]
_DRIVER_REGIONS = ["520102", "520103", "520111", "520113", "520115"]


def _generated_worker(index: int, occupation: str, platform: str, region: str) -> dict[str, str]:
    home = _HOMES[index % len(_HOMES)]
    birth = f"{1975 + index % 27}{1 + index % 12:02d}{1 + index % 28:02d}"
    return {
        "name": _SURNAMES[index % len(_SURNAMES)] + _GIVEN[(index * 7) % len(_GIVEN)] + _GIVEN[index % len(_GIVEN)],
        "id_number": _id_number(home, birth, f"{300 + index:03d}"),
        "phone": f"1398510{2000 + index:04d}",
        "occupation": occupation,
        "platform": platform,
        "external_id": f"{platform[:1]}{100000 + index}" if platform else "",
        "work_region": region,
        "active": "否" if index % 17 == 0 else "是",
    }


def _demo_member_rows(occupations: set[str], platform: str = "") -> list[dict[str, str]]:
    """The demo members (DEMO_WORKERS) as a roster lists them: same ID numbers, so they reconcile."""
    rows = []
    for index, (name, birth, sequence, occupation, worker_platform, region, *_rest) in enumerate(DEMO_WORKERS):
        if occupation not in occupations or (platform and worker_platform != platform):
            continue
        rows.append(
            {
                "name": name,
                "id_number": _id_number(DEMO_WORKER_HOMES[index], birth, sequence),
                "phone": demo_worker_phone(index + 1),
                "occupation": occupation,
                "platform": worker_platform,
                "external_id": f"{worker_platform[:1]}{900 + index}" if worker_platform else "",
                "work_region": region,
                "active": "是",
            }
        )
    return rows


def _seed_ledger(staff: dict[str, StaffAccount], today: date) -> None:
    unions = {
        union.name: union for union in UnionOrganization.objects.filter(name__in=["贵州省总工会", "贵阳市总工会"])
    }
    city_user = staff["guiyang_admin"].user
    manbang = platform_save(code="manbang", name="满帮", organization=unions["贵州省总工会"], actor=city_user)
    meituan = platform_save(code="meituan", name="美团", organization=unions["贵阳市总工会"], actor=city_user)
    api_key_issue(platform=meituan, name="美团生产环境", scopes=list(Scope.values), actor=city_user)
    api_key_issue(platform=manbang, name="满帮数据接口", scopes=list(Scope.values), actor=city_user)

    riders = _demo_member_rows({"delivery_rider"}, "美团") + [
        _generated_worker(index, "delivery_rider", "美团", _RIDER_REGIONS[index % len(_RIDER_REGIONS)])
        for index in range(60)
    ]
    drivers = _demo_member_rows({"truck_driver", "ride_hailing_driver"}) + [
        _generated_worker(
            100 + index,
            "truck_driver" if index % 3 else "ride_hailing_driver",
            "满帮" if index % 3 else "",
            _DRIVER_REGIONS[index % len(_DRIVER_REGIONS)],
        )
        for index in range(40)
    ]
    survey = [_generated_worker(200 + index, "courier", "", _RIDER_REGIONS[index % 4]) for index in range(25)] + riders[
        10:20
    ]  # the survey also finds ten riders the platform listed
    rosters = [
        (source_for_platform(meituan), riders[:50], today - timedelta(days=150)),
        (source_for_platform(meituan), riders, today - timedelta(days=20)),
        (source_named("贵阳市交通运输局", SourceKind.DEPARTMENT), drivers, today - timedelta(days=60)),
        (source_named("南明区2026年下半年摸底", SourceKind.SURVEY), survey, today - timedelta(days=10)),
    ]
    for source, rows, as_of in rosters:
        report = roster_import(data=_csv(ROSTER_COLUMNS, rows), filename="demo.csv", source=source, as_of=as_of)
        _require_clean(report, f"roster {source.name}")
