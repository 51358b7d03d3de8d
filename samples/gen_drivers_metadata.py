#!/usr/bin/env python3
"""gen_drivers_metadata.py - writes samples/drivers/metadata.txt, the driver
metadata (schema/drivers-metadata.md) that `pooltriage-collect --drivers
C:\\Windows\\System32\\drivers` would have produced on the sample case's
server, for the 16 drivers that `findstr /l /m MPP *.sys` named there
(shared/data/real/seed/ws2012r2-findstr-MPP.txt).

GENERATED, modelled on the case: no real driver file was read.  Sizes,
hashes, dates, RVAs and versions are made up (deterministically, from the
driver's name), so the same run always writes the same bytes:

    python3 samples/gen_drivers_metadata.py [OUT]   (default samples/drivers/metadata.txt)

What the case says, and the file therefore holds:
  - every one of the 16 files contains the bytes of the tag MPP (what findstr
    found): a `literal` line each;
  - only ds4dsm.sys (IBM's DS4000 multipath DSM) passes the tag to
    ExAllocatePoolWithTag: a `callsite` line, the strong evidence;
  - ds4dsm.sys and ds4utm.sys are IBM's (third-party), the 14 others
    Microsoft's (Windows Server 2012 R2, 6.3.9600).

The tag is the debugger's 'MPP.': the bytes 'M','P','P',0x00, the ULONG
0x0050504D little-endian, as a driver's code holds it ('MPP' with its C
string terminator).  Poolmon prints the same tag as 'MPP ' (0x20); the
analysis matches both through pt_tag_match_key.
"""
import hashlib
import os
import sys

TAG_VALUE = 0x0050504D
# pt_tag_format's text (\x00 for the zero byte), then the format's escaping
# of the backslash.
TAG_TEXT = "MPP\\x00".replace("\\", "\\\\")

MS_SIGNER = ("C=US, S=Washington, L=Redmond, O=Microsoft Corporation, CN=Microsoft Windows",
             "C=US, S=Washington, L=Redmond, O=Microsoft Corporation, "
             "CN=Microsoft Windows Production PCA 2011")
IBM_SIGNER = ("C=US, S=New York, L=Armonk, O=International Business Machines Corporation, "
              "CN=International Business Machines Corporation",
              "C=US, O=VeriSign, Inc., OU=VeriSign Trust Network, "
              "CN=VeriSign Class 3 Code Signing 2010 CA")

# name, file description, file version (Microsoft's: 6.3.9600.N)
MICROSOFT = [
    ("afd.sys", "Ancillary Function Driver for WinSock", "6.3.9600.17415"),
    ("ClusDisk.sys", "Cluster Disk Driver", "6.3.9600.17415"),
    ("CsvFlt.sys", "Cluster Shared Volume Filter", "6.3.9600.17415"),
    ("CsvFs.sys", "Cluster Shared Volume File System", "6.3.9600.17415"),
    ("dxgkrnl.sys", "DirectX Graphics Kernel", "6.3.9600.17415"),
    ("FWPKCLNT.SYS", "FWP/IPsec Kernel-Mode API", "6.3.9600.17415"),
    ("http.sys", "HTTP Protocol Stack", "6.3.9600.17415"),
    ("mup.sys", "Multiple UNC Provider Driver", "6.3.9600.16384"),
    ("ndis.sys", "Network Driver Interface Specification (NDIS)", "6.3.9600.17415"),
    ("ndiswan.sys", "MS PPP Framing Driver (Strong Encryption)", "6.3.9600.16384"),
    ("pacer.sys", "QoS Packet Scheduler", "6.3.9600.16384"),
    ("rassstp.sys", "RAS SSTP Miniport Call Manager", "6.3.9600.16384"),
    ("sdstor.sys", "SD Storage Port Driver", "6.3.9600.16384"),
    ("SerCx.sys", "Serial UART Support Library", "6.3.9600.16384"),
]
# IBM's DS4000 multipath: the DSM and its utility driver.  The version is
# illustrative, inside the range of schema/advisories.example.xml.
IBM = [
    ("ds4dsm.sys", "IBM DS4000 Device Specific Module", "1.3.305.608", True),
    ("ds4utm.sys", "IBM DS4000 UTM Filter Driver", "1.3.305.608", False),
]


def seed(name, what):
    """A deterministic number from the driver's name."""
    h = hashlib.sha256((name.lower() + "/" + what).encode("ascii")).digest()
    return int.from_bytes(h[:8], "little")


def record(name, description, version, company, product, signer, callsite):
    size = 0x8000 + (seed(name, "size") % 0x180000) // 0x200 * 0x200
    # 2012 R2 images date from 2013-2014: TimeDateStamp in that range.
    stamp = 0x52000000 + seed(name, "time") % 0x3000000
    checksum = seed(name, "checksum") % 0x200000
    # FILETIME of 2014-10-29 (the update rollup) plus up to a year.
    mtime = 130591008000000000 + (seed(name, "mtime") % 365) * 864000000000
    image_size = (size + 0xFFF) // 0x1000 * 0x1000 + 0x1000
    literal_offset = 0x400 + seed(name, "literal") % (size - 0x800)
    lines = [
        ("driver", "C:/Windows/System32/drivers/" + name),
        ("name", name),
        ("size", str(size)),
        ("sha256", hashlib.sha256(("generated " + name).encode("ascii")).hexdigest()),
        ("mtime", str(mtime)),
        ("machine", "0x8664", "1"),
        ("timestamp", "0x%08X" % stamp, "time"),
        ("checksum", "0x%08X" % checksum, "0x%08X" % checksum, "ok"),
        ("image", "0x%X" % image_size, "1", "0x0022", "0x0160", "0x1C0000000",
         "0x%X" % (0x1000 + seed(name, "entry") % 0x4000 // 0x10 * 0x10), "7"),
        ("version", version, version, "0x0", "0x40004", "0x3", "0x6"),
        ("strings", "0409", "04B0"),
        ("string", "CompanyName", company),
        ("string", "FileDescription", description),
        ("string", "FileVersion", version),
        ("string", "ProductName", product),
        ("string", "ProductVersion", version),
        ("string", "OriginalFilename", name),
        ("signature", "embedded", "1"),
        ("signer", signer[0], signer[1]),
        ("import", "ntoskrnl.exe", "ExAllocatePoolWithTag", "0"),
        ("import", "ntoskrnl.exe", "ExFreePoolWithTag", "0"),
    ]
    if callsite:
        # The DSM's path-object allocation: a call in a function of .text.
        function = 0x1000 + seed(name, "function") % 0x6000 // 0x10 * 0x10
        call = function + 0x40 + seed(name, "call") % 0x100
        lines.append(("tag", "callsite", "0x%08X" % TAG_VALUE, TAG_TEXT,
                      "ExAllocatePoolWithTag", "immediate", "0x%X" % function,
                      "0x%X" % call, "0", "0x0"))
    lines.append(("tag", "literal", "0x%08X" % TAG_VALUE, TAG_TEXT, "\\-", "\\-",
                  "0x0", "0x0", str(1 + seed(name, "count") % 3), "0x%X" % literal_offset))
    lines.append(("end",))
    return lines


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "drivers", "metadata.txt")
    records = []
    for name, description, version in MICROSOFT:
        records.append(record(name, description, version, "Microsoft Corporation",
                              "Microsoft\u00ae Windows\u00ae Operating System", MS_SIGNER,
                              False))
    for name, description, version, callsite in IBM:
        records.append(record(name, description, version, "IBM Corporation",
                              "IBM DS4000 Storage Manager Multipath DSM", IBM_SIGNER,
                              callsite))
    records.sort(key=lambda r: r[1][1].lower())
    text = "#pooltriage-drivers\t1\n"
    for lines in records:
        text += "".join("\t".join(fields) + "\n" for fields in lines)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "wb") as f:
        f.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
