# A namespace package shared by the backports.* distributions (pkgutil
# style, as backports.ssl_match_hostname has it); licensed like the package
# that installs it.
from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)
