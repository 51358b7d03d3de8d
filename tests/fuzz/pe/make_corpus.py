#!/usr/bin/env python3
"""Writes the PE reader's seed corpus: tiny hand-made drivers (x64, x86, ARM64)
that each hold every structure the reader walks (imports with a call-site
tag, .pdata, a CodeView record, a version resource), a variant of each with
a cut section table, and a driver-metadata member.  Run from this folder:
    python3 make_corpus.py
The files are small and committed; this script is how they were made."""
import struct

BASE64, BASE32 = 0x140000000, 0x10000
ALIGN = 0x200


def utf16z(s):
    return s.encode("utf-16-le") + b"\0\0"


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def vs_node(key, value=b"", text=False, children=()):
    body = pad4(struct.pack("<HHH", 0, 0, 1 if text else 0) + utf16z(key)) + value
    kids = b"".join(pad4(c) for c in children)
    data = pad4(body) + kids if kids else body
    vlen = len(value) // 2 if text else len(value)
    return struct.pack("<HHH", len(data), vlen, 1 if text else 0) + data[6:]


def version_info():
    fixed = struct.pack("<13I", 0xFEEF04BD, 0x10000, 0x00010002, 0x00030004, 0x00010002,
                        0x00030004, 0x3F, 0, 0x40004, 3, 7, 0, 0)
    strings = [vs_node(k, utf16z(v), True) for k, v in
               [("CompanyName", "Seed Corp"), ("FileDescription", "seed driver"),
                ("FileVersion", "1.2.3.4"), ("ProductName", "seed"),
                ("ProductVersion", "1.2.3.4"), ("OriginalFilename", "seed.sys"),
                ("LegalCopyright", "none")]]
    table = vs_node("040904B0", b"", True, strings)
    sfi = vs_node("StringFileInfo", b"", True, [table])
    vfi = vs_node("VarFileInfo", b"", True, [vs_node("Translation", struct.pack("<HH", 0x409, 1200))])
    return vs_node("VS_VERSION_INFO", fixed, False, [sfi, vfi])


def resources(rva):
    vi = version_info()
    root = struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 16, 0x80000018)
    name = struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 1, 0x80000030)
    lang = struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 0x409, 0x48)
    data = struct.pack("<IIII", rva + 0x58, len(vi), 0, 0)
    blob = root + name + lang + data
    return blob + b"\0" * (0x58 - len(blob)) + vi


def arm64_code(text_rva, slot1, slot2):
    """adrp x8; movz/movk 'Leak' into w2 (allocation: argument 3) or w1 (free:
    argument 2); ldr x8, [x8, #slot]; blr x8 (twice); ret."""
    words = []

    def adrp(rva, target, rd):
        imm = ((target & ~0xFFF) - (rva & ~0xFFF)) >> 12
        return 0x90000000 | ((imm & 3) << 29) | (((imm >> 2) & 0x7FFFF) << 5) | rd

    for slot, reg in ((slot1, 2), (slot2, 1)):
        rva = text_rva + 4 * len(words)
        words += [adrp(rva, slot, 8), 0x2A1F03E0, 0x52800801,
                  0x52800000 | (0x654C << 5) | reg, 0x72A00000 | (0x6B61 << 5) | reg,
                  0xF9400000 | (((slot & 0xFFF) // 8) << 10) | (8 << 5) | 8, 0xD63F0100]
    words.append(0xD65F03C0)
    return b"".join(struct.pack("<I", w) for w in words)


def build(is64, arm64=False):
    text_rva, rdata_rva, rsrc_rva = 0x200, 0x400, 0x600
    thunk = 8 if is64 else 4
    base = BASE64 if is64 else BASE32
    # .rdata layout
    desc, int_rva, iat_rva = rdata_rva, rdata_rva + 0x30, rdata_rva + 0x50
    dll_rva, name1, name2 = rdata_rva + 0x70, rdata_rva + 0x80, rdata_rva + 0xA0
    pdata_rva, unwind_rva, debug_rva, rsds_rva = (rdata_rva + 0xC0, rdata_rva + 0xD0,
                                                   rdata_rva + 0xE0, rdata_rva + 0x100)
    slot1, slot2 = iat_rva, iat_rva + thunk
    if arm64:
        code = arm64_code(text_rva, slot1, slot2)
    elif is64:
        code = b"\x48\x83\xEC\x28" + b"\xB9\x00\x00\x00\x00" + b"\xBA\x40\x00\x00\x00"
        code += b"\x41\xB8" + b"Leak"
        nxt = text_rva + len(code) + 6
        code += b"\xFF\x15" + struct.pack("<i", slot1 - nxt)
        code += b"\x48\x89\xC1" + b"\xBA" + b"Leak" + b"\x48\x83\xC4\x28"
        nxt = text_rva + len(code) + 6
        code += b"\xFF\x25" + struct.pack("<i", slot2 - nxt)
    else:
        code = b"\x68Leak\x6A\x40\x6A\x00\xFF\x15" + struct.pack("<I", base + slot1)
        code += b"\x68Leak\x50\xFF\x15" + struct.pack("<I", base + slot2) + b"\xC3"
    text = code + b"\xCC" * (ALIGN - len(code))
    rd = bytearray(ALIGN)

    def put(rva, b):
        rd[rva - rdata_rva:rva - rdata_rva + len(b)] = b
    put(desc, struct.pack("<IIIII", int_rva, 0, 0, dll_rva, iat_rva))
    fmt = "<QQQ" if is64 else "<III"
    put(int_rva, struct.pack(fmt, name1, name2, 0))
    put(iat_rva, struct.pack(fmt, name1, name2, 0))
    put(dll_rva, b"ntoskrnl.exe\0")
    put(name1, b"\0\0ExAllocatePoolWithTag\0")
    put(name2, b"\0\0ExFreePoolWithTag\0")
    if is64 and not arm64:
        put(pdata_rva, struct.pack("<III", text_rva, text_rva + len(code), unwind_rva))
        put(unwind_rva, bytes([1, 4, 1, 0, 4, 0x42, 0, 0]))
    rsds = b"RSDS" + bytes(range(16)) + struct.pack("<I", 1) + b"seed.pdb\0"
    put(rsds_rva, rsds)
    put(debug_rva, struct.pack("<IIHHIIII", 0, 0, 0, 0, 2, len(rsds), rsds_rva, rsds_rva))
    rsrc = resources(rsrc_rva)
    rsrc += b"\0" * (-len(rsrc) % ALIGN)
    sections = [(b".text", text_rva, text, 0x60000020), (b".rdata", rdata_rva, bytes(rd), 0x40000040),
                (b".rsrc", rsrc_rva, rsrc, 0x40000040)]
    dirs = [(0, 0)] * 16
    dirs[1] = (desc, 40)
    dirs[2] = (rsrc_rva, len(rsrc))
    if is64 and not arm64:
        dirs[3] = (pdata_rva, 12)
    dirs[6] = (debug_rva, 28)
    dirs[12] = (iat_rva, 3 * thunk)
    size_of_image = rsrc_rva + len(rsrc)
    if is64:
        opt = struct.pack("<HBBIIIII", 0x20B, 2, 0, len(text), len(rd) + len(rsrc), 0, text_rva, text_rva)
        opt += struct.pack("<QIIHHHHHHIIIIHHQQQQII", base, ALIGN, ALIGN, 6, 1, 0, 0, 6, 1, 0,
                           size_of_image, ALIGN, 0, 1, 0x160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        opt = struct.pack("<HBBIIIIII", 0x10B, 2, 0, len(text), len(rd) + len(rsrc), 0, text_rva, text_rva,
                          rdata_rva)
        opt += struct.pack("<IIIHHHHHHIIIIHHIIIIII", base, ALIGN, ALIGN, 6, 1, 0, 0, 6, 1, 0,
                           size_of_image, ALIGN, 0, 1, 0x140, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += b"".join(struct.pack("<II", *d) for d in dirs)
    coff = struct.pack("<HHIIIHH", 0xAA64 if arm64 else 0x8664 if is64 else 0x14C, len(sections), 0x5EED0001, 0, 0, len(opt),
                       0x22 if is64 else 0x102)
    hdr = bytearray(b"MZ" + b"\0" * 0x3A + struct.pack("<I", 0x40) + b"PE\0\0" + coff + opt)
    raw = ALIGN
    for name, rva, data, ch in sections:
        hdr += name.ljust(8, b"\0") + struct.pack("<IIIIIIHHI", len(data), rva, len(data), raw, 0, 0, 0, 0, ch)
        raw += len(data)
    hdr += b"\0" * (ALIGN - len(hdr))
    return bytes(hdr) + b"".join(s[2] for s in sections)


def main():
    for is64, arm64, name in [(True, False, "tiny64.sys"), (False, False, "tiny32.sys"),
                              (True, True, "tinyarm64.sys")]:
        data = build(is64, arm64)
        open("corpus/" + name, "wb").write(data)
        # The same file with its section table cut off.
        open("corpus/cut-" + name, "wb").write(data[:0x150])
    open("corpus/drivers-metadata.txt", "w").write(
        "#pooltriage-drivers\t1\ndriver\tC:/drivers/seed.sys\nname\tseed.sys\nsize\t2048\n"
        "machine\t0x8664\t1\ntimestamp\t0x5EED0001\ttime\nchecksum\t0x00000000\t0x0000ABCD\tbad\n"
        "image\t0x800\t1\t0x0022\t0x0160\t0x140000000\t0x200\t3\n"
        "codeview\tRSDS\t03020100-0504-0706-0809-0A0B0C0D0E0F\t1\tseed.pdb\n"
        "version\t1.2.3.4\t1.2.3.4\t0x0\t0x40004\t0x3\t0x7\nstrings\t0409\t04B0\n"
        "string\tCompanyName\tSeed\\tCorp\\x01\nsignature\tnone\t0\n"
        "import\tntoskrnl.exe\tExAllocatePoolWithTag\t0\nimport\tntoskrnl.exe\t#12\t1\n"
        "tag\tcallsite\t0x6B61654C\tLeak\tExAllocatePoolWithTag\timmediate\t0x200\t0x213\t0\t0x0\n"
        "tag\tliteral\t0x6B61654C\tLeak\t\\-\t\\-\t0x0\t0x0\t2\t0x211\nnote\t\\-\nend\n"
        "driver\tC:/drivers/bad.sys\nerror\t4\tnot a PE file\nend\n")


if __name__ == "__main__":
    main()
