#!/usr/bin/python3
"""Checks pooltriage's PE reading of Wine's PE modules against python3-pefile.

Usage: pefile_oracle.py PE_DUMP [FILE...]

PE_DUMP prints the driver-metadata text (schema/drivers-metadata.md) of the
files; every version field (fixed versions, flags, type, every string table's
strings), the header fields, the CheckSum and whether it matches
(pefile.generate_checksum), the CodeView record and the import count must
agree with pefile's reading.  Without FILEs: Wine's kernel-side modules
(ntoskrnl.exe, hal.dll, the .sys files) and every other Wine PE module with a
version resource among the first 120 DLLs.
"""
import glob
import os
import re
import subprocess
import sys

import pefile

WINE_DIRS = ["/usr/lib/x86_64-linux-gnu/wine/x86_64-windows", "/usr/lib/wine/x86_64-windows"]
KEYS = ["CompanyName", "FileDescription", "FileVersion", "ProductName", "ProductVersion",
        "OriginalFilename", "LegalCopyright", "InternalName"]


def unescape(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            n = field[i + 1]
            if n == "t":
                out.append("\t"); i += 2; continue
            if n == "n":
                out.append("\n"); i += 2; continue
            if n == "r":
                out.append("\r"); i += 2; continue
            if n == "x":
                out.append(chr(int(field[i + 2:i + 4], 16))); i += 4; continue
            out.append(n); i += 2; continue
        out.append(c); i += 1
    return "".join(out)


def parse_dump(text):
    records, rec = [], None
    for line in text.split("\n")[1:]:
        if not line:
            continue
        f = [unescape(x) for x in line.split("\t")]
        if f[0] == "driver":
            rec = {"path": f[1], "strings": [], "imports": 0}
        elif f[0] == "end":
            records.append(rec); rec = None
        elif f[0] == "strings":
            rec["strings"].append({"lang": int(f[1], 16), "cp": int(f[2], 16)})
        elif f[0] == "string":
            rec["strings"][-1][f[1]] = f[2]
        elif f[0] == "import":
            rec["imports"] += 1
        else:
            rec[f[0]] = f[1:]
    return records


def wine_files():
    for d in WINE_DIRS:
        if os.path.isdir(d):
            kernel = sorted(glob.glob(d + "/*.sys")) + [d + "/ntoskrnl.exe", d + "/hal.dll"]
            dlls = sorted(glob.glob(d + "/*.dll"))[:120]
            return kernel + [x for x in dlls if x not in kernel]
    return []


def norm(s):
    # pefile keeps a surrogate pair as the escapes "\\ud83d\\ude00": join them.
    pair = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")
    s = pair.sub(lambda m: chr(0x10000 + ((int(m.group(1), 16) - 0xD800) << 10)
                               + int(m.group(2), 16) - 0xDC00), s)
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def check(rec, failures):
    path = rec["path"]
    pe = pefile.PE(path)
    bad = lambda what, ours, theirs: failures.append(f"{os.path.basename(path)}: {what}: "
                                                     f"pooltriage {ours!r}, pefile {theirs!r}")
    fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    if int(rec["machine"][0], 16) != fh.Machine:
        bad("Machine", rec["machine"][0], fh.Machine)
    if int(rec["timestamp"][0], 16) != fh.TimeDateStamp:
        bad("TimeDateStamp", rec["timestamp"][0], fh.TimeDateStamp)
    ck, computed, verdict = rec["checksum"]
    if int(ck, 16) != oh.CheckSum:
        bad("CheckSum", ck, oh.CheckSum)
    # A full pefile load re-serialises the version strings it decoded, which
    # changes the bytes of files with non-BMP characters; the checksum is
    # taken over the file as it is.
    gen = pefile.PE(path, fast_load=True).generate_checksum()
    if int(computed, 16) != gen:
        bad("computed checksum", computed, gen)
    if (verdict == "ok") != (oh.CheckSum == gen):
        bad("checksum verdict", verdict, oh.CheckSum == gen)
    image = rec["image"]
    if int(image[0], 16) != oh.SizeOfImage:
        bad("SizeOfImage", image[0], oh.SizeOfImage)
    if int(image[1]) != oh.Subsystem:
        bad("Subsystem", image[1], oh.Subsystem)
    if int(image[3], 16) != oh.DllCharacteristics:
        bad("DllCharacteristics", image[3], oh.DllCharacteristics)
    if int(image[4], 16) != oh.ImageBase:
        bad("ImageBase", image[4], oh.ImageBase)
    n_imports = sum(len(e.imports) for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []))
    n_imports += sum(len(e.imports) for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []))
    if rec["imports"] != n_imports:
        bad("imports", rec["imports"], n_imports)
    fixed = getattr(pe, "VS_FIXEDFILEINFO", None)
    if fixed:
        f = fixed[0]
        fv = "%d.%d.%d.%d" % (f.FileVersionMS >> 16, f.FileVersionMS & 0xFFFF,
                              f.FileVersionLS >> 16, f.FileVersionLS & 0xFFFF)
        pv = "%d.%d.%d.%d" % (f.ProductVersionMS >> 16, f.ProductVersionMS & 0xFFFF,
                              f.ProductVersionLS >> 16, f.ProductVersionLS & 0xFFFF)
        if "version" not in rec:
            bad("version resource", None, fv)
        else:
            v = rec["version"]
            for what, ours, theirs in [("FileVersion", v[0], fv), ("ProductVersion", v[1], pv),
                                       ("FileFlags", int(v[2], 16), f.FileFlags & f.FileFlagsMask),
                                       ("FileOS", int(v[3], 16), f.FileOS),
                                       ("FileType", int(v[4], 16), f.FileType),
                                       ("FileSubtype", int(v[5], 16), f.FileSubtype)]:
                if ours != theirs:
                    bad(what, ours, theirs)
    elif "version" in rec:
        bad("version resource", rec["version"], None)
    tables = []
    for fi in getattr(pe, "FileInfo", []) or []:
        for entry in fi:
            for st in getattr(entry, "StringTable", []) or []:
                tables.append(st)
    ours = {(t["lang"], t["cp"]): t for t in rec["strings"]}
    if len(tables) != len(rec["strings"]):
        bad("string tables", len(rec["strings"]), len(tables))
    for st in tables:
        key = int(st.LangID, 16)
        t = ours.get((key >> 16, key & 0xFFFF))
        if t is None:
            bad("string table", None, st.LangID)
            continue
        for k in KEYS:
            theirs = st.entries.get(k.encode())
            theirs = norm(theirs.decode("utf-8", "surrogatepass")) if theirs is not None else None
            if t.get(k) != theirs:
                bad(f"{st.LangID} {k}", t.get(k), theirs)
    cv = None
    for d in getattr(pe, "DIRECTORY_ENTRY_DEBUG", []) or []:
        if d.struct.Type == 2 and d.entry is not None and cv is None:
            cv = d.entry
    if cv is not None and hasattr(cv, "Signature_Data1"):
        # pefile splits Data4 into Data4 (1 byte), Data5 (1), Data6 (6 bytes).
        guid = "%08X-%04X-%04X-%02X%02X-%s" % (cv.Signature_Data1, cv.Signature_Data2,
                                               cv.Signature_Data3, cv.Signature_Data4,
                                               cv.Signature_Data5,
                                               bytes(cv.Signature_Data6).hex().upper())
        pdb = cv.PdbFileName.rstrip(b"\0").decode("utf-8", "replace")
        mine = rec.get("codeview")
        if mine is None or mine[1] != guid or int(mine[2]) != cv.Age or mine[3] != pdb:
            bad("CodeView", mine, (guid, cv.Age, pdb))
    security = oh.DATA_DIRECTORY[4]
    if (security.VirtualAddress == 0) != (rec["signature"][0] == "none"):
        bad("signature", rec["signature"][0], security.VirtualAddress)
    return pe


def main():
    dump = sys.argv[1]
    files = sys.argv[2:] or wine_files()
    wine = not sys.argv[2:]
    if not files:
        print("wine64's PE modules are not installed", file=sys.stderr)
        return 1
    out = subprocess.run([dump] + files, check=True, capture_output=True, text=True).stdout
    records = parse_dump(out)
    failures, versions, bad_checksums = [], 0, 0
    if len(records) != len(files):
        failures.append(f"{len(records)} records for {len(files)} files")
    for rec in records:
        if "error" in rec:
            failures.append(f"{rec['path']}: {rec['error']}")
            continue
        check(rec, failures)
        versions += "version" in rec
        bad_checksums += rec["checksum"][2] == "bad"
    for f in failures:
        print("MISMATCH", f)
    print(f"{len(records)} files, {versions} with version resources, "
          f"{bad_checksums} bad checksums, {len(failures)} mismatches")
    # Facts the brief verified: ntoskrnl.exe's version, and every Wine .sys
    # has a stale CheckSum.
    if not wine:
        return 1 if failures else 0
    by_name = {os.path.basename(r["path"]): r for r in records}
    nt = by_name.get("ntoskrnl.exe")
    if nt is None or nt.get("version", [None])[0] != "6.1.7601.21863":
        print("MISMATCH ntoskrnl.exe version", nt and nt.get("version"))
        return 1
    if any(r["checksum"][2] != "bad" for n, r in by_name.items() if n.endswith(".sys")):
        print("MISMATCH: a Wine .sys has a matching CheckSum")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
