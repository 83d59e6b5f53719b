# The namespace package shared by the backports.* distributions.  Installed
# by pip or by 'setup.py install --single-version-externally-managed', this
# file is not installed at all: setuptools' namespace_packages writes
# backports.ssl_memorybio-VERSION-py2.7-nspkg.pth instead, which only this
# package owns, so that uninstalling it leaves the other backports.*
# packages importable (and theirs, ours).  In an egg (plain 'setup.py
# install' with setuptools) it is the egg's own copy.  pkgutil's way where
# pkg_resources is missing, as backports.ssl_match_hostname does it.
# Licensed like the package that installs it (PSF License Version 2).
try:
    __import__("pkg_resources").declare_namespace(__name__)
except ImportError:
    from pkgutil import extend_path
    __path__ = extend_path(__path__, __name__)
