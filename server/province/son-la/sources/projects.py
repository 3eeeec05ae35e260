#!/usr/bin/env python3
"""Writes Sơn La's public-investment registry: investors (chủ đầu tư) and projects.

DEMO DATA. The investors are real bodies of the province (see the header written into
investors.toml for which names are checked and which are believed); the projects are
invented but plausible (Vietnamese names written the way the province writes them, real
commune/ward names and codes, real national highways and programmes), except the one
entry marked demo = false. Replace projects.toml with the Department of Finance's list.

Reads, next to this directory:
  ../areas.toml               post-reform communes/wards (valid_from = 2025-07-01), points
  ../agencies.toml            provincial agencies (codes used as `agency`)
  ../agencies-communes.toml   each commune's People's Committee (names of commune investors)
Writes:
  ../investors.toml
  ../projects.toml

Deterministic: fixed seed, stable order, no timestamps. Standard library only.
Usage: python3 server/province/son-la/sources/projects.py
"""

import json
import math
import random
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROVINCE_DIR = HERE.parent
REFORM_DAY = "2025-07-01"
PROVINCE_CODE = "14"
SEAT = "03646"  # Phường Tô Hiệu: the provincial seat; commune of record of province-wide projects
SEED = 20250701

# ---------------------------------------------------------------------------------------
# inputs


def load(name):
    with open(PROVINCE_DIR / name, "rb") as f:
        return tomllib.load(f)


AREAS = [a for a in load("areas.toml")["area"] if a.get("valid_from") == REFORM_DAY]
AREA = {a["code"]: a for a in AREAS}
COMMUNE_CODES = [a["code"] for a in AREAS]
AGENCY_CODES = {a["code"] for a in load("agencies.toml")["agency"]}
COMMUNE_AGENCY = {a["code"]: a for a in load("agencies-communes.toml")["agency"]}
assert len(AREAS) == 75, len(AREAS)


def ten(code):
    """Bare name: 'Mường La'."""
    n = AREA[code]["name_vi"]
    for p in ("Xã ", "Phường "):
        if n.startswith(p):
            return n[len(p):]
    return n


def xa(code):
    """Name as written inside a project name: 'xã Mường La', 'phường Tô Hiệu'."""
    n = AREA[code]["name_vi"]
    return n[0].lower() + n[1:]


def is_ward(code):
    return AREA[code]["kind"] == "ward"


def join_vi(items):
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " và " + items[-1]


def dist(a, b):
    pa, pb = AREA[a]["point"], AREA[b]["point"]
    return math.hypot(pa[0] - pb[0], pa[1] - pb[1])


def nearest(code, k, pool=None):
    cands = [c for c in (pool or COMMUNE_CODES) if c != code]
    cands.sort(key=lambda c: (dist(code, c), c))
    return cands[:k]


# ---------------------------------------------------------------------------------------
# investors

# (code, name_vi, short_vi, name_en, short_en, kind, agency or None, area)
PROVINCIAL_INVESTORS = [
    # provincial project management boards
    ("BQLDA-GT",
     "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh Sơn La",
     "Ban QLDA giao thông",
     "Sơn La Management Board of Transport Construction Projects",
     "Transport projects board", "board", "SXD", PROVINCE_CODE),
    ("BQLDA-DDCN",
     "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh Sơn La",
     "Ban QLDA dân dụng và công nghiệp",
     "Sơn La Management Board of Civil and Industrial Construction Projects",
     "Civil works projects board", "board", "SXD", PROVINCE_CODE),
    ("BQLDA-NN",
     "Ban Quản lý dự án đầu tư xây dựng các công trình nông nghiệp và phát triển nông thôn tỉnh Sơn La",
     "Ban QLDA nông nghiệp và PTNT",
     "Sơn La Management Board of Agriculture and Rural Development Construction Projects",
     "Agriculture projects board", "board", "SNNMT", PROVINCE_CODE),
    ("BQL-KCN",
     "Ban Quản lý các khu công nghiệp tỉnh Sơn La",
     "Ban QL các KCN",
     "Sơn La Industrial Zones Management Board",
     "Industrial zones board", "board", None, PROVINCE_CODE),
    ("BQL-KDLMC",
     "Ban Quản lý Khu du lịch quốc gia Mộc Châu",
     "Ban QL KDL quốc gia Mộc Châu",
     "Mộc Châu National Tourist Area Management Board",
     "Mộc Châu tourist area board", "board", "SVHTTDL", PROVINCE_CODE),
    # departments and provincial agencies listed in agencies.toml
    ("SYT", "Sở Y tế tỉnh Sơn La", "Sở Y tế",
     "Sơn La Department of Health", "Health", "department", "SYT", PROVINCE_CODE),
    ("SGDDT", "Sở Giáo dục và Đào tạo tỉnh Sơn La", "Sở GD&ĐT",
     "Sơn La Department of Education and Training", "Education", "department", "SGDDT",
     PROVINCE_CODE),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch tỉnh Sơn La", "Sở VHTT&DL",
     "Sơn La Department of Culture, Sports and Tourism", "Culture, Sports & Tourism",
     "department", "SVHTTDL", PROVINCE_CODE),
    ("SNNMT", "Sở Nông nghiệp và Môi trường tỉnh Sơn La", "Sở NN&MT",
     "Sơn La Department of Agriculture and Environment", "Agriculture & Environment",
     "department", "SNNMT", PROVINCE_CODE),
    ("SKHCN", "Sở Khoa học và Công nghệ tỉnh Sơn La", "Sở KH&CN",
     "Sơn La Department of Science and Technology", "Science & Technology", "department",
     "SKHCN", PROVINCE_CODE),
    ("SXD", "Sở Xây dựng tỉnh Sơn La", "Sở Xây dựng",
     "Sơn La Department of Construction", "Construction", "department", "SXD", PROVINCE_CODE),
    ("SCT", "Sở Công Thương tỉnh Sơn La", "Sở Công Thương",
     "Sơn La Department of Industry and Trade", "Industry & Trade", "department", "SCT",
     PROVINCE_CODE),
    ("SNV", "Sở Nội vụ tỉnh Sơn La", "Sở Nội vụ",
     "Sơn La Department of Home Affairs", "Home Affairs", "department", "SNV", PROVINCE_CODE),
    ("SDTTG", "Sở Dân tộc và Tôn giáo tỉnh Sơn La", "Sở DT&TG",
     "Sơn La Department of Ethnic and Religious Affairs", "Ethnic & Religious Affairs",
     "department", "SDTTG", PROVINCE_CODE),
    ("CAT", "Công an tỉnh Sơn La", "Công an tỉnh",
     "Sơn La Provincial Police", "Police", "department", "CAT", PROVINCE_CODE),
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh Sơn La", "VP UBND tỉnh",
     "Office of the Sơn La Provincial People's Committee", "PPC Office", "department", "VPUB",
     PROVINCE_CODE),
    # other provincial bodies (no code in agencies.toml unless a parent agency is given)
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh Sơn La", "Bộ CHQS tỉnh",
     "Sơn La Provincial Military Command", "Military Command", "other", None, PROVINCE_CODE),
    ("BDBP", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Sơn La", "Bộ CH BĐBP tỉnh",
     "Sơn La Provincial Border Guard Command", "Border Guard", "other", None, PROVINCE_CODE),
    ("VPTU", "Văn phòng Tỉnh ủy Sơn La", "VP Tỉnh ủy",
     "Office of the Sơn La Provincial Party Committee", "Party Committee Office", "other",
     None, PROVINCE_CODE),
    ("BVDK", "Bệnh viện Đa khoa tỉnh Sơn La", "BV Đa khoa tỉnh",
     "Sơn La Provincial General Hospital", "General Hospital", "other", "SYT", PROVINCE_CODE),
    ("CDC", "Trung tâm Kiểm soát bệnh tật tỉnh Sơn La", "CDC Sơn La",
     "Sơn La Centre for Disease Control", "CDC", "other", "SYT", PROVINCE_CODE),
    ("CDSL", "Trường Cao đẳng Sơn La", "CĐ Sơn La",
     "Sơn La College", "Sơn La College", "other", "SGDDT", PROVINCE_CODE),
    ("CDNL", "Trường Cao đẳng Nông Lâm Sơn La", "CĐ Nông Lâm",
     "Sơn La College of Agriculture and Forestry", "Agro-Forestry College", "other", "SGDDT",
     PROVINCE_CODE),
    ("CCKL", "Chi cục Kiểm lâm tỉnh Sơn La", "Chi cục Kiểm lâm",
     "Sơn La Forest Protection Sub-department", "Forest Protection", "other", "SNNMT",
     PROVINCE_CODE),
]

# People's Committees that invest in small projects in their own commune/ward (30 of 75)
COMMUNE_INVESTORS = [
    "03646", "03670", "03688", "03703", "03721", "03727", "03760", "03781", "03808",
    "03814", "03820", "03856", "03868", "03880", "03910", "03943", "03970", "03980",
    "04006", "04048", "04057", "04075", "04096", "04105", "04123", "04144", "04168",
    "04186", "04231", "04240",
]


def build_investors():
    out = []
    for (code, nvi, svi, nen, sen, kind, agency, area) in PROVINCIAL_INVESTORS:
        assert agency is None or agency in AGENCY_CODES, agency
        out.append(dict(code=code, name_vi=nvi, short_vi=svi, name_en=nen, short_en=sen,
                        kind=kind, agency=agency, area=area))
    for c in COMMUNE_INVESTORS:
        ag = COMMUNE_AGENCY["UBND-" + c]
        assert ag["area"] == c
        out.append(dict(code=ag["code"], name_vi=ag["name_vi"], short_vi=ag["short_vi"],
                        name_en=ag["name_en"], short_en=ag["short_en"], kind="commune",
                        agency=ag["code"], area=c))
    return out


# ---------------------------------------------------------------------------------------
# names

PREFIX = ["Nà", "Huổi", "Phiêng", "Co", "Pá", "Hua", "Ten", "Noong", "Bó", "Nậm", "Tà",
          "Púng", "Lả", "Xa", "Kéo", "Pom", "Cang", "Khá", "Tòng", "Nong"]
SUFFIX = ["Sài", "Lạn", "Lanh", "Muông", "Kim", "Ngày", "Hon", "Lay", "Hặc", "Hin", "Pu",
          "Pẻn", "Sản", "Chặp", "Khắt", "Lọt", "Ban", "Hẹ", "Lốc", "Nghè", "Cại", "Phứa",
          "Tiến", "Mạt", "Púa", "Lướt", "Kham", "Sẳng", "Xôm", "Két"]

CROPS = ["cây ăn quả", "cà phê", "chè", "xoài", "nhãn", "mận", "rau an toàn"]
ETHNIC = ["Thái", "Mông", "Mường", "Dao", "Khơ Mú", "Xinh Mun", "Kháng", "La Ha"]

P_DTTS = "Chương trình MTQG phát triển kinh tế - xã hội vùng đồng bào DTTS và miền núi"
P_NTM = "Chương trình MTQG xây dựng nông thôn mới"
P_GNBV = "Chương trình MTQG giảm nghèo bền vững"

# Roads and rivers: communes they pass (approximate, for demo names only)
QL6 = ["04048", "03980", "04075", "04105", "03679", "03721"]
QL6_OFF = ["04087", "04099", "04078", "04136", "04117", "04123", "03754", "03757"]
QL4G = ["04132", "04144", "04168", "04210", "04231"]
QL37 = ["03856", "03880", "03910"]
QL279 = ["03703", "03694"]
SONG_MA = ["04168", "04222", "04219", "04195", "04186"]
NAM_LA = ["03646", "03664", "03670", "03679"]
SONG_DA = ["03808", "03814", "03847", "03703", "03712", "03880", "03856"]
BORDER = ["04240", "04246", "04231", "04228", "04222", "04045", "03985", "04057"]
# communes/wards named after the former districts (seats of district-level schools, health centres)
DISTRICT = ["03703", "03721", "03808", "03856", "03910", "04075", "04105", "04168", "04231",
            "04048", "03980"]
MOC_CHAU = ["03980", "03982", "03979", "04033", "04045", "03985"]
WARDS = [c for c in COMMUNE_CODES if is_ward(c)]
RURAL = [c for c in COMMUNE_CODES if not is_ward(c)]

# Each spec: investor, count, group, sector, capital, templates, pool, span (communes),
# fixed communes (overrides pool), point probability, demo flag, comment.
# capital: "central" | "local" | "oda" | {"central": w, "local": w, ...}
CAP_C_BOARD = {"local": 78, "central": 22}
CAP_C_COMMUNE = {"local": 90, "central": 10}
CAP_NTP = {"central": 75, "local": 25}
CAP_B = {"central": 55, "local": 45}


def S(inv, n, group, sector, cap, tpls, pool=None, span=1, fixed=None, pp=0.6, demo=True,
      comment=None, years=None):
    return dict(inv=inv, n=n, group=group, sector=sector, cap=cap, tpls=tpls, pool=pool,
                span=span, fixed=fixed, pp=pp, demo=demo, comment=comment, years=years)


SPECS = [
    # ----- group A
    S("BQLDA-GT", 1, "A", "transport", "central",
      ["Đường bộ cao tốc Hòa Bình – Mộc Châu (đoạn qua tỉnh Sơn La)"],
      fixed=["04048", "04033", "03980"], pp=1.0, demo=False, years=(2025, 2027),
      comment="Real project (construction started May 2025). Investor, communes and years "
              "here are approximate; check against the province's list."),
    S("BQLDA-GT", 1, "A", "transport", "central",
      ["Đường kết nối trung tâm tỉnh với các xã vùng hồ thủy điện Sơn La, đoạn {ds}"],
      fixed=["03808", "03847", "03814"], pp=1.0, years=(2023, 2028)),
    S("BQLDA-GT", 1, "A", "transport", "oda",
      ["Cải tạo, nâng cấp Quốc lộ 4G đoạn {ds} (vốn vay ODA)"],
      fixed=["04168", "04210", "04231"], pp=1.0, years=(2024, 2028)),
    # ----- transport board
    S("BQLDA-GT", 1, "B", "transport", "central",
      ["Cải tạo, nâng cấp Quốc lộ 4G đoạn qua {ds}"], fixed=["04132", "04144"]),
    S("BQLDA-GT", 2, "B", "transport", CAP_B,
      ["Đường nối Quốc lộ 6 với trung tâm {xa}"], pool=QL6_OFF),
    S("BQLDA-GT", 2, "B", "transport", CAP_B,
      ["Đường giao thông liên xã {ten} – {ten2}"], pool=RURAL, span=2),
    S("BQLDA-GT", 1, "B", "transport", "central",
      ["Cầu qua sông Mã tại {xa}"], pool=SONG_MA),
    S("BQLDA-GT", 1, "B", "transport", "central",
      ["Cải tạo, nâng cấp Quốc lộ 37 đoạn qua {ds}"], fixed=["03880", "03856", "03910"]),
    S("BQLDA-GT", 1, "B", "transport", "local",
      ["Cải tạo, nâng cấp Quốc lộ 279 đoạn qua {ds}"], fixed=["03703", "03694"]),
    S("BQLDA-GT", 1, "B", "transport", "central",
      ["Cải tạo, nâng cấp Quốc lộ 43 đoạn phường Mộc Châu – cửa khẩu quốc tế Lóng Sập"],
      fixed=["04045", "03980"]),
    S("BQLDA-GT", 14, "C", "transport", CAP_C_BOARD,
      ["Đường giao thông từ trung tâm {xa} đi bản {ban}",
       "Cải tạo, nâng cấp đường liên bản {ban} – {ban2}, {xa}",
       "Cầu treo bản {ban}, {xa}",
       "Cầu bê tông cốt thép qua suối bản {ban}, {xa}",
       "Sửa chữa, khắc phục sạt lở tuyến đường {xa} – {xa2}",
       "Đường giao thông đến trung tâm các bản {ban}, {ban2}, {xa}"],
      pool=RURAL),
    S("BQLDA-GT", 2, "C", "transport", "local",
      ["Đường nối Quốc lộ 6 với bản {ban}, {xa}"], pool=QL6),
    S("BQLDA-GT", 4, "C", "transport", "oda",
      ["Đường giao thông kết nối vùng sản xuất {xa} – {xa2} (vốn vay ODA)"], pool=RURAL),
    # ----- civil works board
    S("BQLDA-DDCN", 3, "B", "education", "central",
      ["Xây dựng trường Phổ thông dân tộc nội trú liên cấp tiểu học và trung học cơ sở {xa}"],
      pool=BORDER),
    S("BQLDA-DDCN", 1, "B", "culture", "local",
      ["Nhà thi đấu đa năng và bể bơi tỉnh Sơn La"], fixed=["03679"]),
    S("BQLDA-DDCN", 1, "B", "urban", "local",
      ["Hạ tầng kỹ thuật khu đô thị mới {xa}"], fixed=["03679"]),
    S("BQLDA-DDCN", 1, "B", "health", "central",
      ["Trung tâm Y tế {ten}: xây dựng nhà điều trị nội trú và khoa khám bệnh"],
      pool=DISTRICT),
    S("BQLDA-DDCN", 4, "C", "administration", "local",
      ["Cải tạo, mở rộng trụ sở làm việc Đảng ủy – HĐND – UBND {xa}",
       "Trụ sở làm việc Đảng ủy – HĐND – UBND {xa}"], pool=RURAL),
    S("BQLDA-DDCN", 2, "C", "administration", "local",
      ["Trung tâm Phục vụ hành chính công {xa}"]),
    S("BQLDA-DDCN", 2, "C", "culture", CAP_C_BOARD,
      ["Nhà văn hóa và sân thể thao trung tâm {xa}"]),
    S("BQLDA-DDCN", 3, "C", "education", CAP_C_BOARD,
      ["Trường THPT {ten}: nhà lớp học bộ môn và nhà đa năng",
       "Trường Phổ thông dân tộc bán trú THCS {ten}: nhà ở bán trú học sinh"], pool=RURAL),
    S("BQLDA-DDCN", 2, "C", "social", CAP_C_BOARD,
      ["Hạ tầng khu tái định cư bản {ban}, {xa}"], pool=RURAL),
    S("BQLDA-DDCN", 1, "C", "urban", "local",
      ["Chợ trung tâm {xa}"], pool=RURAL),
    S("BQLDA-DDCN", 2, "C", "environment", "oda",
      ["Hệ thống thu gom, xử lý nước thải {xa} (vốn vay ODA)"], pool=WARDS),
    # ----- agriculture board
    S("BQLDA-NN", 1, "B", "irrigation", "central",
      ["Hồ chứa nước bản {ban}, {xa}"], pool=RURAL),
    S("BQLDA-NN", 1, "B", "irrigation", "central",
      ["Kè chống sạt lở bờ sông Mã đoạn qua {ds}"], pool=SONG_MA, span=2),
    S("BQLDA-NN", 2, "B", "irrigation", "oda",
      ["Sửa chữa, nâng cao an toàn đập các hồ chứa nước trên địa bàn {ds} (vốn vay Ngân hàng Thế giới)",
       "Cấp nước sinh hoạt và tưới cho vùng khó khăn {ds} (vốn vay ODA)"],
      pool=RURAL, span=3),
    S("BQLDA-NN", 1, "B", "social", "central",
      ["Bố trí, sắp xếp ổn định dân cư vùng nguy cơ sạt lở, lũ quét các bản {xa}"], pool=RURAL),
    S("BQLDA-NN", 1, "B", "irrigation", "local",
      ["Kè chống sạt lở bờ suối Nậm La đoạn qua {ds}"], fixed=["03670", "03646"]),
    S("BQLDA-NN", 7, "C", "irrigation", CAP_C_BOARD,
      ["Nâng cấp hệ thống thủy lợi bản {ban}, {xa}",
       "Kênh mương nội đồng bản {ban}, {xa}",
       "Kè chống sạt lở bờ suối bản {ban}, {xa}",
       "Thủy lợi Nậm {suf} bản {ban}, {xa}"], pool=RURAL),
    S("BQLDA-NN", 3, "C", "environment", CAP_C_BOARD,
      ["Cấp nước sinh hoạt tập trung bản {ban}, {xa}"], pool=RURAL),
    S("BQLDA-NN", 7, "C", "irrigation", "oda",
      ["Sửa chữa, nâng cao an toàn đập hồ chứa nước bản {ban}, {xa}"], pool=RURAL),
    S("BQLDA-NN", 5, "ntp", "agriculture", CAP_NTP,
      ["Hạ tầng vùng sản xuất {crop} tập trung {xa} (" + P_NTM + ")"], pool=RURAL),
    # ----- industrial zones, tourist area
    S("BQL-KCN", 1, "B", "urban", "local",
      ["Hạ tầng kỹ thuật Khu công nghiệp Mai Sơn giai đoạn II"], fixed=["04123"], pp=1.0),
    S("BQL-KCN", 1, "C", "transport", "local",
      ["Cải tạo, nâng cấp đường vào Khu công nghiệp Mai Sơn"], fixed=["04123"]),
    S("BQL-KCN", 1, "C", "urban", "local",
      ["Chuẩn bị đầu tư hạ tầng kỹ thuật Khu công nghiệp Vân Hồ"], fixed=["04048"]),
    S("BQL-KDLMC", 1, "C", "culture", "local",
      ["Hạ tầng Khu du lịch quốc gia Mộc Châu: đường dạo, bãi đỗ xe và điểm dừng chân"],
      fixed=["03982", "03980"]),
    S("BQL-KDLMC", 1, "C", "culture", "central",
      ["Hạ tầng du lịch cộng đồng bản {ban}, {xa}"], pool=MOC_CHAU),
    # ----- health
    S("SYT", 2, "C", "health", "central",
      ["Cải tạo, nâng cấp Trạm Y tế {xa}"], pool=RURAL),
    S("SYT", 1, "C", "health", "local",
      ["Đầu tư trang thiết bị y tế cho Trung tâm Y tế {ten}"], pool=DISTRICT),
    S("SYT", 2, "C", "health", "oda",
      ["Xây dựng và cung cấp trang thiết bị Trạm Y tế {xa} (vốn vay ODA)"], pool=RURAL),
    S("BVDK", 1, "B", "health", "local",
      ["Bệnh viện Đa khoa tỉnh Sơn La: xây dựng khu điều trị nội khoa và hồi sức tích cực"],
      fixed=[SEAT]),
    S("BVDK", 1, "C", "environment", "local",
      ["Bệnh viện Đa khoa tỉnh Sơn La: nâng cấp hệ thống xử lý chất thải y tế"], fixed=[SEAT]),
    S("CDC", 1, "C", "health", "central",
      ["Trung tâm Kiểm soát bệnh tật tỉnh Sơn La: cải tạo khu xét nghiệm an toàn sinh học cấp II"],
      fixed=[SEAT]),
    # ----- education
    S("SGDDT", 1, "B", "education", "central",
      ["Trường Phổ thông dân tộc nội trú THCS và THPT {ten}: ký túc xá và nhà lớp học"],
      pool=DISTRICT),
    S("SGDDT", 2, "C", "education", CAP_C_BOARD,
      ["Trường Phổ thông dân tộc nội trú THCS và THPT {ten}: nhà ký túc xá học sinh"],
      pool=DISTRICT),
    S("SGDDT", 3, "C", "education", CAP_C_BOARD,
      ["Trường THPT {ten}: nhà lớp học bộ môn và nhà đa năng",
       "Trường Phổ thông dân tộc bán trú TH&THCS {ten}: nhà ở bán trú học sinh"],
      pool=RURAL),
    S("SGDDT", 2, "C", "education", "oda",
      ["Trường Mầm non {ten}: nhà lớp học 2 tầng 8 phòng (vốn vay ODA)"], pool=RURAL),
    S("CDSL", 1, "C", "education", "local",
      ["Trường Cao đẳng Sơn La: cải tạo ký túc xá và nhà thực hành"], fixed=[SEAT]),
    S("CDNL", 1, "C", "education", "local",
      ["Trường Cao đẳng Nông Lâm Sơn La: xưởng thực hành và khu thực nghiệm"], fixed=[SEAT]),
    # ----- culture
    S("SVHTTDL", 1, "C", "culture", "central",
      ["Tu bổ, tôn tạo Di tích lịch sử Nhà tù Sơn La"], fixed=[SEAT], pp=1.0),
    S("SVHTTDL", 1, "C", "culture", "local",
      ["Hạ tầng du lịch cộng đồng bản {ban}, {xa}"], fixed=["03868"]),
    S("SVHTTDL", 1, "C", "culture", "local",
      ["Nhà văn hóa – thể thao trung tâm {xa}"], pool=RURAL),
    # ----- agriculture & environment department, forestry
    S("SNNMT", 1, "B", "environment", "oda",
      ["Quản lý rủi ro thiên tai và thích ứng biến đổi khí hậu vùng đầu nguồn {ds} (vốn vay ODA)"],
      pool=RURAL, span=3),
    S("SNNMT", 1, "C", "it", "local",
      ["Xây dựng cơ sở dữ liệu đất đai tỉnh Sơn La"], fixed=[SEAT]),
    S("SNNMT", 2, "C", "environment", "local",
      ["Đo đạc, lập hồ sơ địa chính, cấp giấy chứng nhận quyền sử dụng đất {ds}",
       "Khu xử lý chất thải rắn sinh hoạt {xa}"], pool=RURAL, span=1),
    S("SNNMT", 1, "C", "environment", "local",
      ["Trạm quan trắc môi trường nước tự động trên suối Nậm La"], fixed=["03664"]),
    S("SNNMT", 1, "C", "agriculture", "local",
      ["Trại thực nghiệm và sản xuất giống cây trồng {xa}"], pool=RURAL),
    S("CCKL", 1, "C", "environment", "central",
      ["Chòi canh lửa rừng và đường băng cản lửa {ds}"], pool=RURAL, span=3),
    S("CCKL", 1, "C", "agriculture", "central",
      ["Trồng rừng phòng hộ đầu nguồn {xa}"], pool=SONG_DA),
    # ----- IT
    S("VPUB", 1, "C", "it", "local",
      ["Đầu tư Trung tâm giám sát, điều hành thông minh (IOC) tỉnh Sơn La"], fixed=[SEAT]),
    S("SKHCN", 1, "C", "it", "local",
      ["Nâng cấp mạng truyền số liệu chuyên dùng và trung tâm dữ liệu tỉnh Sơn La"],
      fixed=[SEAT]),
    S("SKHCN", 1, "C", "it", "central",
      ["Phủ sóng thông tin di động các bản vùng lõm sóng {ds}"], pool=BORDER, span=3),
    # ----- urban, industry & trade
    S("SXD", 1, "C", "urban", "local",
      ["Lập quy hoạch chung xây dựng {xa} đến năm 2045"], pool=RURAL),
    S("SXD", 1, "C", "urban", "local",
      ["Hệ thống chiếu sáng, cây xanh trục trung tâm {xa}"], pool=WARDS),
    S("SCT", 1, "B", "social", "central",
      ["Cấp điện nông thôn từ lưới điện quốc gia cho các bản chưa có điện {ds}"],
      pool=RURAL, span=3),
    S("SCT", 1, "C", "urban", "local",
      ["Chợ biên giới {xa}"], pool=BORDER),
    # ----- administration
    S("SNV", 1, "C", "administration", "local",
      ["Kho lưu trữ chuyên dụng tỉnh Sơn La"], fixed=[SEAT]),
    S("VPTU", 1, "C", "administration", "local",
      ["Cải tạo, sửa chữa trụ sở Tỉnh ủy Sơn La"], fixed=[SEAT]),
    # ----- ethnic affairs (programme projects)
    S("SDTTG", 3, "ntp", "culture", CAP_NTP,
      ["Bảo tồn bản văn hóa truyền thống dân tộc {ethnic} bản {ban}, {xa} (" + P_DTTS + ")",
       "Nhà văn hóa bản {ban}, {xa} (" + P_DTTS + ")"], pool=RURAL),
    S("SDTTG", 1, "ntp", "social", CAP_NTP,
      ["Hạ tầng điểm du lịch cộng đồng gắn với bảo tồn văn hóa dân tộc {ethnic} bản {ban}, {xa} (" + P_DTTS + ")"],
      pool=RURAL),
    # ----- defence and security
    S("CAT", 3, "C", "defence", CAP_C_BOARD,
      ["Trụ sở làm việc Công an {xa}"]),
    S("BCHQS", 1, "C", "defence", "central",
      ["Thao trường huấn luyện tổng hợp tại {xa}"], pool=RURAL),
    S("BCHQS", 1, "C", "defence", "local",
      ["Cải tạo, nâng cấp doanh trại Bộ Chỉ huy Quân sự tỉnh Sơn La"], fixed=[SEAT]),
    S("BDBP", 1, "C", "defence", "central",
      ["Đường tuần tra biên giới đoạn qua {xa}"], pool=BORDER),
    S("BDBP", 1, "C", "defence", "central",
      ["Cải tạo, nâng cấp doanh trại Đồn Biên phòng {ten}"], pool=BORDER),
]

# Commune People's Committee projects: (sector, template); {xa}, {ten}, {ban}, {ban2}
COMMUNE_C = [
    ("transport", "Đường giao thông nội bản {ban}, {xa}"),
    ("transport", "Bê tông hóa đường liên bản {ban} – {ban2}, {xa}"),
    ("culture", "Nhà văn hóa bản {ban}, {xa}"),
    ("culture", "Sân thể thao trung tâm {xa}"),
    ("administration", "Cải tạo, sửa chữa trụ sở làm việc UBND {xa}"),
    ("education", "Trường Mầm non {ten}: nhà lớp học 2 tầng 6 phòng"),
    ("education", "Trường Tiểu học {ten}: nhà lớp học và công trình phụ trợ"),
    ("irrigation", "Kênh mương nội đồng bản {ban}, {xa}"),
    ("environment", "Nghĩa trang nhân dân {xa}"),
    ("urban", "Điện chiếu sáng công cộng các tuyến đường trung tâm {xa}"),
]
WARD_C = [
    ("urban", "Hệ thống thoát nước, vỉa hè các tuyến phố {xa}"),
    ("urban", "Chỉnh trang đô thị, hạ tầng kỹ thuật các tổ dân phố {xa}"),
    ("culture", "Nhà văn hóa tổ dân phố số {so}, {xa}"),
    ("environment", "Hệ thống thu gom nước thải các tổ dân phố {xa}"),
    ("administration", "Cải tạo, sửa chữa trụ sở làm việc UBND {xa}"),
]
COMMUNE_NTP = [
    ("transport", "Đường giao thông nội bản {ban}, {xa}", P_DTTS),
    ("culture", "Nhà văn hóa bản {ban}, {xa}", P_DTTS),
    ("environment", "Nước sinh hoạt tập trung bản {ban}, {xa}", P_DTTS),
    ("education", "Nhà lớp học điểm trường bản {ban}, Trường Tiểu học {ten}", P_DTTS),
    ("social", "Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo các bản {xa}", P_DTTS),
    ("transport", "Đường giao thông nông thôn bản {ban}, {xa}", P_NTM),
    ("irrigation", "Kênh mương nội đồng bản {ban}, {xa}", P_NTM),
    ("culture", "Sân thể thao bản {ban}, {xa}", P_NTM),
    ("agriculture", "Đường nội đồng phục vụ sản xuất bản {ban}, {xa}", P_GNBV),
    ("transport", "Cải tạo, nâng cấp đường liên bản {ban} – {ban2}, {xa}", P_GNBV),
    ("agriculture", "Hạ tầng vùng trồng {crop} bản {ban}, {xa}", P_GNBV),
]

SECTORS = ["transport", "irrigation", "education", "health", "culture", "agriculture",
           "environment", "urban", "it", "defence", "administration", "social"]
ABBREV = {"transport": "GT", "irrigation": "TL", "education": "GD", "health": "YT",
          "culture": "VH", "agriculture": "NN", "environment": "MT", "urban": "DT",
          "it": "CNTT", "defence": "QP", "administration": "HC", "social": "XH"}


# ---------------------------------------------------------------------------------------
# generation


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.cover = {c: 0 for c in COMMUNE_CODES}
        self.villages = {}  # commune -> list of village names used
        self.names = set()
        self.projects = []

    def village(self, commune):
        used = self.villages.setdefault(commune, [])
        while True:
            v = self.rng.choice(PREFIX) + " " + self.rng.choice(SUFFIX)
            if v not in used:
                used.append(v)
                return v

    def pick(self, pool):
        pool = pool or COMMUNE_CODES
        low = min(self.cover[c] for c in pool)
        cands = [c for c in pool if self.cover[c] == low]
        return self.rng.choice(cands)

    def weighted(self, cap):
        if isinstance(cap, str):
            return cap
        keys = sorted(cap)
        return self.rng.choices(keys, weights=[cap[k] for k in keys])[0]

    def years(self, group, fixed=None):
        if fixed:
            return fixed
        r = self.rng
        if group == "A":
            return r.choice([2023, 2024, 2025]), r.choice([2027, 2028, 2029])
        if group == "B":
            return r.choice([2022, 2023, 2024, 2025]), r.choice([2026, 2027, 2027, 2028])
        if group == "C":
            return r.choice([2023, 2024, 2024, 2025, 2025]), r.choice([2026, 2026, 2027])
        return r.choice([2024, 2025, 2025]), 2026  # ntp

    def point(self, commune, pp):
        if self.rng.random() >= pp:
            return None
        lon, lat = AREA[commune]["point"]
        return [round(lon + self.rng.uniform(-0.03, 0.03), 4),
                round(lat + self.rng.uniform(-0.03, 0.03), 4)]

    def fill(self, tpl, communes):
        c0 = communes[0]
        c1 = communes[1] if len(communes) > 1 else nearest(c0, 1)[0]
        ban = self.village(c0)
        ban2 = self.village(c0)
        return tpl.format(xa=xa(c0), ten=ten(c0), ban=ban, ban2=ban2, xa2=xa(c1), ten2=ten(c1),
                          so=self.rng.randint(1, 12),
                          ds=join_vi([xa(c) for c in communes]),
                          crop=self.rng.choice(CROPS), ethnic=self.rng.choice(ETHNIC),
                          suf=self.rng.choice(SUFFIX))

    def add(self, inv, group, sector, capital, name, communes, pp, demo=True, comment=None,
            years=None):
        assert name not in self.names, name
        self.names.add(name)
        start, end = self.years(group, years)
        self.cover[communes[0]] += 1
        self.projects.append(dict(
            name_vi=name, investor=inv, communes=communes, sector=sector,
            capital_source=capital, group=group, start_year=start, end_year=end,
            point=self.point(communes[0], pp), demo=demo, comment=comment))

    def communes_for(self, spec, tpl):
        if spec["fixed"]:
            return list(spec["fixed"])
        c0 = self.pick(spec["pool"])
        span = spec["span"]
        if "{xa2}" in tpl or "{ten2}" in tpl:
            span = max(span, 2)
        if span > 1:
            pool = spec["pool"] if spec["pool"] and len(spec["pool"]) >= span else None
            return [c0] + nearest(c0, span - 1, pool)
        return [c0]

    def run(self):
        r = self.rng
        # commune PCs first, in their own commune: one group C project each, one programme
        # project for each rural commune, and a second one for every other commune
        for i, c in enumerate(COMMUNE_INVESTORS):
            inv = "UBND-" + c
            if is_ward(c):
                picks = r.sample(WARD_C, 2)
                for sector, tpl in picks:
                    self.add(inv, "C", sector, self.weighted(CAP_C_COMMUNE),
                             self.fill(tpl, [c]), [c], 0.6)
                continue
            sector, tpl = r.choice(COMMUNE_C)
            self.add(inv, "C", sector, self.weighted(CAP_C_COMMUNE), self.fill(tpl, [c]),
                     [c], 0.6)
            n_ntp = 2 if i % 2 == 0 else 1
            for sector, tpl, prog in r.sample(COMMUNE_NTP, n_ntp):
                name = self.fill(tpl, [c]) + " (" + prog + ")"
                self.add(inv, "ntp", sector, self.weighted(CAP_NTP), name, [c], 0.6)
            if i % 3 == 1:
                sector, tpl = r.choice(COMMUNE_C)
                name = self.fill(tpl, [c])
                if name not in self.names:
                    self.add(inv, "C", sector, self.weighted(CAP_C_COMMUNE), name, [c], 0.6)
        # provincial investors: fixed locations first, then restricted pools, then open
        order = sorted(range(len(SPECS)),
                       key=lambda k: (0 if SPECS[k]["fixed"] else
                                      1 if SPECS[k]["pool"] else 2, k))
        for k in order:
            spec = SPECS[k]
            for j in range(spec["n"]):
                for _ in range(50):
                    tpl = spec["tpls"][j % len(spec["tpls"])] if j < len(spec["tpls"]) \
                        else r.choice(spec["tpls"])
                    communes = self.communes_for(spec, tpl)
                    name = self.fill(tpl, communes)
                    if name not in self.names:
                        break
                else:
                    raise SystemExit(f"cannot make a unique name for {spec['tpls'][0]}")
                self.add(spec["inv"], spec["group"], spec["sector"],
                         self.weighted(spec["cap"]), name, communes, spec["pp"],
                         spec["demo"], spec["comment"], spec["years"])
        # stable order: by sector, then generation order; codes numbered within sector
        out = []
        for s in SECTORS:
            n = 0
            for p in self.projects:
                if p["sector"] == s:
                    n += 1
                    p["code"] = f"SL-{ABBREV[s]}-{n:03d}"
                    out.append(p)
        return out


# ---------------------------------------------------------------------------------------
# output


def q(s):
    return json.dumps(s, ensure_ascii=False)


def write_investors(investors, path):
    lines = [
        "# Sơn La's public-investment investors (chủ đầu tư). GENERATED by sources/projects.py.",
        "# Do not edit by hand: change the script and run it again.",
        "#",
        "# Real bodies of the province, named as they are (as of before the 2025 mergers; some",
        "# boards may since have been merged or renamed — check with the Department of Finance):",
        "# - the three provincial project management boards (transport; civil and industrial",
        "#   works; agriculture and rural development) and the Industrial Zones Management Board",
        "#   (Ban Quản lý các khu công nghiệp tỉnh Sơn La, investor of the Mai Sơn industrial",
        "#   zone); the Mộc Châu National Tourist Area board is believed real, not checked;",
        "# - departments and provincial agencies from agencies.toml (agency = their code);",
        "# - other provincial bodies (military and border guard commands, Party Committee",
        "#   office, provincial hospital, CDC, the two colleges, forest protection);",
        "# - 30 commune/ward People's Committees, names taken from agencies-communes.toml",
        "#   (agency = UBND-<commune code>, area = the commune).",
        "# No separate ODA board is listed: none could be confirmed; ODA projects sit with",
        "# the boards. Provincial bodies have area = \"14\" (the province).",
        "# kind: board | department | commune | other.",
    ]
    for inv in investors:
        lines.append("")
        lines.append("[[investor]]")
        for k in ("code", "name_vi", "short_vi", "name_en", "short_en", "kind", "agency",
                  "area"):
            if inv.get(k) is not None:
                lines.append(f"{k} = {q(inv[k])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_projects(projects, path):
    lines = [
        "# Sơn La's public-investment projects. GENERATED by sources/projects.py.",
        "# Do not edit by hand: change the script and run it again.",
        "#",
        "# Demo registry: project names are invented but plausible; not the province's real",
        "# list. Replace with the Finance Department's list.",
        "# demo = true marks invented projects; demo = false marks a real project (its",
        "# attributes here may still be approximate; see the comment on it).",
        "#",
        "# communes: post-reform commune/ward codes (areas.toml); the first is the commune of",
        "# record, where the project's figures are summed. Province-wide projects and those",
        "# of provincial institutions use Phường Tô Hiệu (03646), the provincial seat.",
        "# group: A | B | C | ntp (national target programme). capital_source: central | local | oda.",
        "# point: [lon, lat], near the commune of record (given for about 60% of projects).",
    ]
    for p in projects:
        lines.append("")
        if p["comment"]:
            lines.append("# " + p["comment"])
        lines.append("[[project]]")
        lines.append(f"code = {q(p['code'])}")
        lines.append(f"name_vi = {q(p['name_vi'])}")
        lines.append(f"investor = {q(p['investor'])}")
        lines.append("communes = [" + ", ".join(q(c) for c in p["communes"]) + "]")
        lines.append(f"sector = {q(p['sector'])}")
        lines.append(f"capital_source = {q(p['capital_source'])}")
        lines.append(f"group = {q(p['group'])}")
        lines.append(f"start_year = {p['start_year']}")
        lines.append(f"end_year = {p['end_year']}")
        if p["point"]:
            lines.append(f"point = [{p['point'][0]}, {p['point'][1]}]")
        lines.append(f"demo = {'true' if p['demo'] else 'false'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(investors, projects):
    codes = {i["code"] for i in investors}
    assert len(codes) == len(investors)
    used = {p["investor"] for p in projects}
    assert used <= codes, used - codes
    assert codes <= used, f"investors without projects: {sorted(codes - used)}"
    assert len({p["code"] for p in projects}) == len(projects)
    covered = {p["communes"][0] for p in projects}
    missing = [c for c in COMMUNE_CODES if c not in covered]
    assert not missing, f"communes without a project of record: {missing}"
    for p in projects:
        assert all(c in AREA for c in p["communes"]), p
        assert len(set(p["communes"])) == len(p["communes"]), p
        assert p["start_year"] <= 2025 and p["end_year"] >= 2026, p
        if p["point"]:
            lon, lat = AREA[p["communes"][0]]["point"]
            assert abs(p["point"][0] - lon) <= 0.05 and abs(p["point"][1] - lat) <= 0.05
        if p["investor"].startswith("UBND-"):
            assert p["communes"] == [p["investor"][5:]] and p["group"] in ("C", "ntp"), p


def main():
    investors = build_investors()
    projects = Gen().run()
    check(investors, projects)
    write_investors(investors, PROVINCE_DIR / "investors.toml")
    write_projects(projects, PROVINCE_DIR / "projects.toml")
    print(f"{len(investors)} investors, {len(projects)} projects", file=sys.stderr)


if __name__ == "__main__":
    main()
