"""Demo stations, partner merchants, offers, demand hotspots and visits in 南明区 and 云岩区 (贵阳市).

Places are real neighbourhoods with approximate WGS-84 coordinates; names of stations and merchants are
made up. Some hotspots are deliberately far from any station, so the 15-minute circle has gaps to plan.
Everything goes through the services staff use (checks, station_save, merchant_save, offer_save …).
"""

from __future__ import annotations

from datetime import date, timedelta

from gigunion.members.models import Person
from gigunion.orgs.access import jurisdiction_of
from gigunion.orgs.models import StaffAccount
from gigunion.stations.checks import check_station
from gigunion.stations.models import Station
from gigunion.stations.planning import region_point_set
from gigunion.stations.services import (
    hotspot_save,
    merchant_save,
    offer_save,
    station_checkin,
    station_save,
    station_set_status,
    visit_record,
)

# name, kind, region, host, address, lat, lng, hours, services, stars, status
DEMO_STATIONS = [
    (
        "大南门户外劳动者服务站",
        "户外劳动者服务站点",
        "520102",
        "中国建设银行贵阳中华南路支行",
        "中华南路与大南门交叉口",
        26.5771,
        106.7127,
        "08:00-20:00",
        "休息、充电、医药箱、饮水、学习交流、热饭、如厕、无线网络",
        "5",
        "open",
    ),
    (
        "花果园暖蜂驿站",
        "户外劳动者服务站点",
        "520102",
        "花果园购物中心",
        "花果园大街购物中心一楼东门",
        26.5652,
        106.6885,
        "24小时",
        "休息、充电、医药箱、饮水、学习交流、热饭、电动车充电",
        "4",
        "open",
    ),
    (
        "油榨街爱心小站",
        "爱心小站",
        "520102",
        "油榨街社区服务中心",
        "油榨街社区服务中心一楼",
        26.5702,
        106.7283,
        "09:00-18:00",
        "休息、饮水、医药箱、如厕",
        "3",
        "open",
    ),
    (
        "贵阳火车站司机之家",
        "司机之家",
        "520102",
        "中石化贵阳站前加油站",
        "遵义路站前加油站旁",
        26.5573,
        106.7068,
        "24小时",
        "休息、充电、饮水、热饭、如厕、洗浴、停车",
        "4",
        "open",
    ),
    (
        "新华路健康小站",
        "健康小站",
        "520102",
        "新华路社区卫生服务中心",
        "新华路社区卫生服务中心",
        26.5768,
        106.7192,
        "08:30-17:30",
        "休息、医药箱、饮水、健康检测",
        "",
        "open",
    ),
    (
        "太慈桥户外劳动者服务站",
        "户外劳动者服务站点",
        "520102",
        "中国工商银行太慈桥支行",
        "花溪大道北段工行网点",
        26.5478,
        106.6881,
        "08:00-12:00、14:00-18:00",
        "休息、充电、饮水、雨具",
        "2",
        "paused",
    ),
    (
        "喷水池户外劳动者服务站",
        "户外劳动者服务站点",
        "520103",
        "中国农业银行中华北路支行",
        "中华北路喷水池农行网点",
        26.5831,
        106.7129,
        "07:30-21:30",
        "休息、充电、医药箱、饮水、学习交流、如厕",
        "5",
        "open",
    ),
    (
        "大营路骑手驿站",
        "户外劳动者服务站点",
        "520103",
        "大营路街道社区服务中心",
        "大营路街道办事处旁",
        26.6031,
        106.7332,
        "24小时",
        "休息、充电、医药箱、饮水、热饭、维修工具",
        "4",
        "open",
    ),
    (
        "延安中路爱心小站",
        "爱心小站",
        "520103",
        "贵州银行延安中路支行",
        "延安中路贵州银行",
        26.5852,
        106.7049,
        "09:00-17:00",
        "休息、饮水、充电",
        "",
        "open",
    ),
    (
        "北京路司机之家",
        "司机之家",
        "520103",
        "北京路停车场",
        "北京路与宝山北路交叉口停车场",
        26.5968,
        106.7163,
        "24小时",
        "休息、饮水、热饭、如厕、停车、洗衣",
        "3",
        "closed",
    ),
]

# name, category, region, address, lat, lng, offers
DEMO_MERCHANTS = [
    ("大南门老王牛肉粉", "餐饮", "520102", "中华南路12号", 26.5766, 106.7134, ["会员早餐立减2元", "会员凭卡加粉免费"]),
    ("花果园骑手电动车维修", "车辆维修", "520102", "花果园大街R区", 26.5641, 106.6877, ["会员维修工时八折"]),
    ("喷水池便民超市", "超市", "520103", "中华北路88号", 26.5838, 106.7122, ["会员购饮用水九折"]),
    ("大营路家常菜馆", "餐饮", "520103", "大营路45号", 26.6024, 106.7341, ["会员午餐九折"]),
]

# name, region, lat, lng, workers, source — riders waiting for orders, drivers resting
DEMO_HOTSPOTS = [
    ("花果园商圈", "520102", 26.5660, 106.6890, 620, "美团骑手热力 2026-10"),
    ("大南门商圈", "520102", 26.5780, 106.7110, 410, "美团骑手热力 2026-10"),
    ("贵阳火车站", "520102", 26.5580, 106.7060, 180, "网约车司机候客点调查"),
    ("小车河湿地公园片区", "520102", 26.5390, 106.7000, 240, "南明区2026年下半年摸底"),
    ("二七路物流园", "520102", 26.5525, 106.7225, 330, "南明区2026年下半年摸底"),
    ("喷水池商圈", "520103", 26.5835, 106.7125, 380, "美团骑手热力 2026-10"),
    ("大营路片区", "520103", 26.6035, 106.7320, 150, "美团骑手热力 2026-10"),
    ("黔灵山公园北门", "520103", 26.6060, 106.6950, 210, "云岩区摸底"),
]

# Approximate centres of the streets (街道) where the demo's workers work: members and reconciled
# workers are placed there when planning the 15-minute circle.
DEMO_REGION_POINTS = [
    ("520102002", 26.5400, 106.7000),
    ("520102003", 26.5780, 106.7190),
    ("520102005", 26.5750, 106.7130),
    ("520102006", 26.5710, 106.7050),
    ("520102007", 26.5590, 106.7070),
    ("520102009", 26.5530, 106.7020),
    ("520102010", 26.5480, 106.6880),
    ("520102011", 26.5560, 106.6930),
    ("520102012", 26.5700, 106.7280),
    ("520102018", 26.5650, 106.6880),
    ("520103001", 26.5840, 106.7220),
    ("520103002", 26.5790, 106.7270),
    ("520103004", 26.5850, 106.7050),
    ("520103006", 26.6030, 106.7330),
    ("520103007", 26.5900, 106.7120),
    ("520103008", 26.5850, 106.7000),
]


def seed_stations(staff: dict[str, StaffAccount], today: date, members: list[Person]) -> None:
    by_region = {"520102": staff["nanming_operator"], "520103": staff["yunyan_operator"]}
    stations: list[Station] = []
    for name, kind, region, host, address, lat, lng, hours, services, stars, status in DEMO_STATIONS:
        account = by_region[region]
        jurisdiction = jurisdiction_of(account.user)
        assert jurisdiction is not None
        checked = check_station(
            {
                "name": name,
                "kind": kind,
                "region": region,
                "host": host,
                "address": address,
                "lat": str(lat),
                "lng": str(lng),
                "hours": hours,
                "services": services,
                "stars": stars,
                "contact_name": "站长",
                "contact_phone": "0851-8555" + f"{len(stations):04d}",
            }
        )
        if not checked.ok:
            raise RuntimeError(f"demo station {name}: {checked.errors}")
        station = station_save(jurisdiction=jurisdiction, actor=account.user, values=checked.values)
        if status != "open":
            station_set_status(jurisdiction=jurisdiction, actor=account.user, station=station, status=status)
        stations.append(station)
        # Person-times from the stations' paper registers, for the last fortnight.
        for days_ago in range(1, 15):
            if station.status == "open":
                people = 8 + (len(name) * 7 + days_ago * 5) % 40
                visit_record(
                    jurisdiction=jurisdiction,
                    actor=account.user,
                    station=station,
                    people=people,
                    visited_on=today - timedelta(days=days_ago),
                )
    # Members who checked in by QR at the two busiest stations.
    for index, person in enumerate(members[:8]):
        for days_ago in range(index % 3 + 1):
            station_checkin(station=stations[index % 2], person=person, today=today - timedelta(days=days_ago))
    for name, category, region, address, lat, lng, offers in DEMO_MERCHANTS:
        account = by_region[region]
        jurisdiction = jurisdiction_of(account.user)
        assert jurisdiction is not None
        merchant = merchant_save(
            jurisdiction=jurisdiction,
            actor=account.user,
            values={"name": name, "category": category, "region": region, "address": address, "lat": lat, "lng": lng},
        )
        for title in offers:
            offer_save(jurisdiction=jurisdiction, merchant=merchant, title=title, starts_on=today - timedelta(days=60))
    for code, lat, lng in DEMO_REGION_POINTS:
        account = by_region[code[:6]]
        jurisdiction = jurisdiction_of(account.user)
        assert jurisdiction is not None
        _point, checked = region_point_set(
            jurisdiction=jurisdiction, actor=account.user, region_code=code, lat=str(lat), lng=str(lng)
        )
        if not checked.ok:
            raise RuntimeError(f"demo region point {code}: {checked.errors}")
    for name, region, lat, lng, workers, source in DEMO_HOTSPOTS:
        jurisdiction = jurisdiction_of(by_region[region].user)
        assert jurisdiction is not None
        hotspot_save(
            jurisdiction=jurisdiction, region_code=region, name=name, lat=lat, lng=lng, weight=workers, source=source
        )
