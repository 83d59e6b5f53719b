# PEP 546 for CPython 2.7.18 for meta-python2's python (target) recipe: all three
# parts (fixes, openssl3, pep546; kirkstone's OpenSSL is 3.0), in series order.
# generated from patches/series by './build.sh dist'; do not edit.
# Copy the patch files into files/ beside this .bbappend.

FILESEXTRAPATHS:prepend := "${THISDIR}/files:"

SRC_URI += " \
    file://0001-2.7-bpo-22559-Keep-the-servername-callback-and-its-c.patch \
    file://0002-2.7-bpo-38820-Name-SSLError-reasons-from-the-OpenSSL.patch \
    file://0003-2.7-bpo-38820-Raise-SSLEOFError-for-a-ragged-EOF-on-.patch \
    file://0004-2.7-bpo-38820-Keep-the-subjectAltName-IP-format-on-O.patch \
    file://0005-2.7-bpo-38820-Load-DER-cadata-on-OpenSSL-3.patch \
    file://0006-2.7-bpo-38820-Let-test_ssl-follow-OpenSSL-3-s-polici.patch \
    file://0007-2.7-bpo-38820-Raise-socket.error-for-OpenSSL-3.2-sys.patch \
    file://0008-2.7-bpo-38820-Check-EVP-digest-return-values-in-_has.patch \
    file://0009-2.7-bpo-38820-Build-_hashlib-against-the-OpenSSL-use.patch \
    file://0010-2.7-bpo-22559-Let-_ssl-objects-exist-without-a-socke.patch \
    file://0011-2.7-bpo-22559-Add-ssl.MemoryBIO.patch \
    file://0012-2.7-bpo-22559-Add-ssl.SSLObject-and-SSLContext.wrap_.patch \
    file://0013-2.7-bpo-22559-Raise-SSLWantReadError-without-formatt.patch \
    file://0014-2.7-bpo-22559-Document-PEP-546-in-What-s-New.patch \
"
