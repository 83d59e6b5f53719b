# PEP 546 for CPython 2.7.18 for meta-python2's python-native recipe: all four
# parts (fixes, openssl3, pep546, openssl4; kirkstone's OpenSSL is 3.0), in series order.
# generated from patches/series by './build.sh dist'; do not edit.
# Part of PEP 546 for CPython 2.7.18; MIT License (see LICENSE).
# Copy the patch files into files/ beside this .bbappend.

FILESEXTRAPATHS:prepend := "${THISDIR}/files:"

SRC_URI += " \
    file://0001-2.7-ssl-Never-call-a-servername-callback-through-a-f.patch \
    file://0002-2.7-bpo-38820-Name-SSLError-reasons-from-the-OpenSSL.patch \
    file://0003-2.7-bpo-38820-Report-a-ragged-EOF-on-OpenSSL-3-as-Op.patch \
    file://0004-2.7-bpo-38820-Keep-the-subjectAltName-IP-format-on-O.patch \
    file://0005-2.7-bpo-38820-Load-DER-cadata-on-OpenSSL-3.patch \
    file://0006-2.7-bpo-38820-Let-test_ssl-follow-OpenSSL-3-s-polici.patch \
    file://0007-2.7-bpo-38820-Raise-socket.error-for-OpenSSL-3.2-sys.patch \
    file://0008-2.7-bpo-38820-Check-EVP-digest-return-values-in-_has.patch \
    file://0009-2.7-bpo-38820-Build-_hashlib-against-the-OpenSSL-use.patch \
    file://0010-2.7-bpo-38820-Keep-OpenSSL-s-refusal-of-a-digest-in-.patch \
    file://0011-2.7-gh-146207-Read-certificate-strings-through-ASN1_.patch \
    file://0012-2.7-gh-146207-Call-ERR_get_state-only-on-OpenSSL-bef.patch \
    file://0013-2.7-gh-146207-Pin-PROTOCOL_TLSv1-on-TLS_method-with-.patch \
    file://0014-2.7-gh-146207-Name-the-SSLError-reasons-OpenSSL-3.2-.patch \
    file://0015-2.7-bpo-22559-Let-_ssl-objects-exist-without-a-socke.patch \
    file://0016-2.7-bpo-22559-Add-ssl.MemoryBIO.patch \
    file://0017-2.7-bpo-22559-Add-ssl.SSLObject-and-SSLContext.wrap_.patch \
    file://0018-2.7-bpo-22559-Check-SSLObject-s-host-name-inside-Ope.patch \
    file://0019-2.7-bpo-22559-Refuse-a-MemoryBIO-in-use-by-an-SSL-ca.patch \
    file://0020-2.7-bpo-22559-Parse-SSLObject-s-read-and-write-argum.patch \
    file://0021-2.7-bpo-22559-Release-SSLObject-s-buffers-while-they.patch \
    file://0022-2.7-bpo-22559-Read-small-records-into-a-stack-buffer.patch \
    file://0023-2.7-bpo-22559-Clear-a-refused-server-name-s-error-fo.patch \
    file://0024-2.7-bpo-22559-Add-the-owner-attribute-of-_ssl._SSLSo.patch \
    file://0025-2.7-bpo-22559-Raise-SSLWantReadError-without-formatt.patch \
    file://0026-2.7-bpo-22559-Leave-OpenSSL-s-error-queue-empty-on-e.patch \
    file://0027-2.7-bpo-22559-Skip-SSL_read-when-an-SSLObject-has-no.patch \
    file://0028-2.7-bpo-22559-Document-PEP-546-in-What-s-New.patch \
    file://0029-2.7-gh-148292-Answer-calls-after-a-fatal-error-on-Op.patch \
"
