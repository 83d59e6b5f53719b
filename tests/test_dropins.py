"""The drop-ins' generator (tool/dropins.py) and their POSIX sh scripts
(dist/debian/add-patches.sh, dist/pyenv/install-definition.sh), on a
small made-up series: no build, no network."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tool"))
import dropins  # noqa: E402

SH = shutil.which("dash") or "/bin/sh"


def diff_of(*files):
    return "".join("diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n" % (f, f, f, f) for f in files)


class Tree(unittest.TestCase):
    SERIES = ("# part: fixes\n0001-fix.patch\n"
              "# part: openssl3\n0002-ssl.patch\n0003-evp.patch\n0004-build.patch\n"
              "# part: pep546\n0005-bio.patch\n")
    FILES = {"0001-fix.patch": ["Modules/_ssl.c"],
             "0002-ssl.patch": ["Modules/_ssl.c", "setup.py"],
             "0003-evp.patch": ["Modules/_hashopenssl.c", "Lib/test/test_hashlib.py",
                               "Misc/NEWS.d/next/Library/x.rst"],
             "0004-build.patch": ["setup.py", "Lib/test/test_hashlib.py"],
             "0005-bio.patch": ["Lib/ssl.py", "Modules/_ssl.c"]}

    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="dropins-")
        self.addCleanup(shutil.rmtree, self.top)
        os.makedirs(os.path.join(self.top, "patches"))
        self.write("patches/series", self.SERIES)
        for name, files in self.FILES.items():
            self.write("patches/" + name, "Subject: x\n\n" + diff_of(*files))

    def write(self, rel, text):
        path = os.path.join(self.top, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def read(self, rel):
        with open(os.path.join(self.top, rel)) as f:
            return f.read()

    def tool(self, *args):
        return dropins.main(["--top", self.top] + list(args))


class Generate(Tree):
    def test_parts_per_distribution(self):
        files = dropins.generate(self.top)
        everything = [n for n in sorted(self.FILES)]

        def names(rel):
            return [ln for ln in files[rel].splitlines() if not ln.startswith("#")]
        self.assertEqual(names("dist/debian/bullseye/series.in.add"), everything)
        self.assertEqual(names("dist/debian/2.7.18-13/series.add"),
                         ["0001-fix.patch", "0005-bio.patch"])
        # _hashlib only: 0002 touches _ssl.c, so it is not one of them.
        self.assertEqual(names("dist/debian/2.7.18-13-hashlib/series.add"),
                         ["0003-evp.patch", "0004-build.patch"])

    def test_every_generated_file_has_its_license_line(self):
        for rel, text in dropins.generate(self.top).items():
            self.assertIn(dropins.LICENSE_LINE + "\n", text, rel)

    def test_list_reads_what_the_tooling_reads(self):
        self.assertEqual(self.tool("write"), 0)
        spec = os.path.join(self.top, "dist/fedora/python2.7-pep546.spec.inc")
        self.assertEqual(dropins.list_file(spec),
                         ["0001-fix.patch -p1", "0005-bio.patch -p1"])
        self.assertIn("Patch5461: 0001-fix.patch", self.read("dist/fedora/python2.7-pep546.spec.inc"))
        for bb in ("python_2.7.18.bbappend", "python-native_2.7.18.bbappend"):
            self.assertEqual(dropins.list_file(os.path.join(self.top, "dist/yocto", bb)),
                             sorted(self.FILES))

    def test_check_finds_a_stale_dropin(self):
        self.assertEqual(self.tool("write"), 0)
        self.assertEqual(self.tool("check"), 0)
        self.write("patches/series", self.SERIES + "0006-new.patch\n")
        self.write("patches/0006-new.patch", "Subject: y\n\n" + diff_of("Lib/ssl.py"))
        self.assertEqual(self.tool("check"), 1)
        self.assertEqual(self.tool("write"), 0)
        self.assertEqual(self.tool("check"), 0)
        self.assertIn("file://0006-new.patch", self.read("dist/yocto/python_2.7.18.bbappend"))


class AddPatches(Tree):
    SCRIPT = os.path.join(TOP, "dist", "debian", "add-patches.sh")

    def run_sh(self, *args):
        return subprocess.run([SH, self.SCRIPT] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)

    def test_series_in_and_series(self):
        self.tool("write")
        deb = os.path.join(self.top, "debian")
        self.write("debian/patches/series.in", "a.diff\n#if defined (Ubuntu)\nb.diff\n#endif")
        self.write("debian/patches/series", "a.diff\n")
        lst = os.path.join(self.top, "dist/debian/2.7.18-13/series.add")
        r = self.run_sh(lst, os.path.join(self.top, "patches"), deb)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertTrue(self.read("debian/patches/series.in").endswith(
            "#endif\n0001-fix.patch\n0005-bio.patch\n"))
        self.assertEqual(self.read("debian/patches/series"),
                         "a.diff\n0001-fix.patch\n0005-bio.patch\n")
        self.assertTrue(os.path.exists(os.path.join(deb, "patches", "0005-bio.patch")))
        # Twice is refused, and nothing changes.
        before = self.read("debian/patches/series")
        r = self.run_sh(lst, os.path.join(self.top, "patches"), deb)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("listed in", r.stdout)
        self.assertEqual(self.read("debian/patches/series"), before)

    def test_missing_patch_is_refused_before_any_change(self):
        self.tool("write")
        self.write("debian/patches/series", "a.diff\n")
        os.remove(os.path.join(self.top, "patches", "0005-bio.patch"))
        r = self.run_sh(os.path.join(self.top, "dist/debian/2.7.18-13/series.add"),
                        os.path.join(self.top, "patches"), os.path.join(self.top, "debian"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("0005-bio.patch is missing", r.stdout)
        self.assertEqual(self.read("debian/patches/series"), "a.diff\n")
        self.assertFalse(os.path.exists(os.path.join(self.top, "debian/patches/0001-fix.patch")))


class PyenvDefinition(Tree):
    def test_pyenv_patches_first_then_the_series(self):
        pb = self.write("pyenv/bin/python-build", "#!/bin/sh\n")
        for n in ("0001-a.patch", "0007-b.patch"):
            self.write("pyenv/share/python-build/patches/2.7.18/Python-2.7.18/" + n, "x\n")
        defs = os.path.join(self.top, "defs")
        r = subprocess.run([SH, os.path.join(TOP, "dist/pyenv/install-definition.sh"),
                            os.path.join(self.top, "patches"), defs],
                           env=dict(os.environ, PYTHON_BUILD=pb), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        got = sorted(os.listdir(os.path.join(defs, "patches/2.7.18-pep546/Python-2.7.18")))
        self.assertEqual(got, ["0001-a.patch", "0007-b.patch", "pep546-001-0001-fix.patch",
                               "pep546-002-0002-ssl.patch", "pep546-003-0003-evp.patch",
                               "pep546-004-0004-build.patch", "pep546-005-0005-bio.patch"])
        self.assertTrue(os.path.isfile(os.path.join(defs, "2.7.18-pep546")))


if __name__ == "__main__":
    unittest.main()
