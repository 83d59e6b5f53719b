"""The tool's own behaviour: build.sh refuses what it must and changes nothing.

Run by './build.sh test' (Python 3).  BUILD_SH_TARBALL names the pristine
Python-2.7.18.tgz that build.sh has already fetched and checked, so these
tests need no network.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_SH = os.path.join(TOP, "build.sh")
TARBALL = os.environ.get("BUILD_SH_TARBALL", "")


def snapshot(tree):
    """Every file's path, content hash and mtime under tree."""
    state = {}
    for root, dirs, files in os.walk(tree):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            state[os.path.relpath(path, tree)] = (digest, os.stat(path).st_mtime_ns)
    return state


@unittest.skipUnless(os.path.isfile(TARBALL), "BUILD_SH_TARBALL not set")
class BuildShTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="build-sh-test-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.build = os.path.join(self.tmp, "build")

    def run_tool(self, *args, env=None, ok=True):
        full_env = dict(os.environ, BUILD_DIR=self.build)
        full_env.update(env or {})
        proc = subprocess.run([BUILD_SH] + list(args), env=full_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=600)
        if ok:
            self.assertEqual(proc.returncode, 0, proc.stdout)
        else:
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
        return proc.stdout

    def unpacked_tree(self, name="src"):
        tree = os.path.join(self.tmp, name)
        os.mkdir(tree)
        subprocess.check_call(["tar", "-xzf", TARBALL, "-C", tree,
                               "--strip-components=1"])
        return tree

    def git_tree(self):
        tree = self.unpacked_tree("checkout")
        env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
                   GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@localhost",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@localhost")
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "v2.7.18"]):
            subprocess.check_call(["git", "-C", tree] + cmd, env=env)
        return tree

    def assert_refused(self, source, message):
        before = snapshot(source) if os.path.isdir(source) else None
        out = self.run_tool("--source", source, "source", ok=False)
        self.assertIn(message, out)
        self.assertFalse(os.path.exists(os.path.join(self.build, "pristine")), out)
        if before is not None:
            self.assertEqual(before, snapshot(source), "the refused tree was changed")

    def test_help(self):
        out = self.run_tool("--help")
        for word in ("source", "openssl", "apply", "build", "regrtest", "test",
                     "edit", "export", "bench", "clean", "--source", "--openssl"):
            self.assertIn(word, out)

    def test_unknown_command_and_option_refused(self):
        self.assertIn("unknown command", self.run_tool("frobnicate", ok=False))
        self.assertIn("unknown option", self.run_tool("--frob", ok=False))
        self.assertIn("--openssl", self.run_tool("--openssl", "4.2", "openssl", ok=False))

    def test_wrong_checksum_refused(self):
        fake = os.path.join(self.tmp, "Python-2.7.18.tgz")
        with open(TARBALL, "rb") as f:
            data = bytearray(f.read())
        data[-1] ^= 1
        with open(fake, "wb") as f:
            f.write(data)
        self.assert_refused(fake, "SHA-256")

    def test_good_tarball_accepted_and_second_run_idempotent(self):
        out = self.run_tool("--source", TARBALL, "source")
        self.assertIn("pristine 2.7.18 from " + TARBALL, out)
        pristine = os.path.join(self.build, "pristine")
        before = snapshot(pristine)
        out = self.run_tool("--source", TARBALL, "source")
        self.assertIn("unpacked already", out)
        self.assertEqual(before, snapshot(pristine))

    def test_apply_twice_rewrites_nothing(self):
        self.run_tool("--source", TARBALL, "source")
        self.run_tool("--openssl", "system", "apply")
        src = os.path.join(self.build, "system", "src")
        before = snapshot(src)
        self.run_tool("--openssl", "system", "apply")
        self.assertEqual(before, snapshot(src))

    def test_clean_git_checkout_accepted(self):
        tree = self.git_tree()
        before = snapshot(tree)
        self.run_tool("--source", tree, "source")
        self.assertEqual(before, snapshot(tree))
        self.assertTrue(os.path.isfile(os.path.join(self.build, "pristine", "setup.py")))
        self.assertFalse(os.path.exists(os.path.join(self.build, "pristine", ".git")))

    def test_dirty_checkout_refused(self):
        tree = self.git_tree()
        with open(os.path.join(tree, "README"), "a") as f:
            f.write("local change\n")
        self.assert_refused(tree, "uncommitted changes")

    def test_untracked_file_in_checkout_refused(self):
        tree = self.git_tree()
        with open(os.path.join(tree, "stray.c"), "w") as f:
            f.write("int x;\n")
        self.assert_refused(tree, "uncommitted changes")

    def test_foreign_tree_refused(self):
        tree = os.path.join(self.tmp, "foreign")
        os.makedirs(os.path.join(tree, "src"))
        with open(os.path.join(tree, "src", "main.c"), "w") as f:
            f.write("int main(void) { return 0; }\n")
        self.assert_refused(tree, "not a CPython source tree")

    def test_other_version_refused(self):
        tree = self.unpacked_tree()
        path = os.path.join(tree, "Include", "patchlevel.h")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"2.7.18"', '"2.7.17"'))
        self.assert_refused(tree, "not CPython 2.7.18")

    def test_modified_tree_refused(self):
        with open(os.path.join(TOP, "patches", "base.sha256")) as f:
            touched = f.readline().split()[1]
        tree = self.unpacked_tree()
        with open(os.path.join(tree, touched), "a") as f:
            f.write("\n")
        self.assert_refused(tree, touched)

    def test_missing_tool_reported(self):
        # A PATH with everything but dpkg-deb, which --openssl 1.1.1 needs.
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        for d in os.environ["PATH"].split(os.pathsep):
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                link = os.path.join(bindir, name)
                if name != "dpkg-deb" and not os.path.lexists(link):
                    os.symlink(os.path.join(d, name), link)
        out = self.run_tool("--openssl", "1.1.1", "openssl", ok=False,
                            env={"PATH": bindir})
        self.assertIn("'dpkg-deb' is needed", out)
        self.assertFalse(os.path.exists(os.path.join(self.build, "openssl", "1.1.1w")))

    def test_export_refuses_dirty_work_tree(self):
        self.run_tool("--source", TARBALL, "source")
        self.run_tool("edit")
        work = os.path.join(self.build, "work")
        with open(os.path.join(work, "README"), "a") as f:
            f.write("uncommitted\n")
        patches = snapshot(os.path.join(TOP, "patches"))
        out = self.run_tool("export", ok=False)
        self.assertIn("uncommitted changes", out)
        self.assertEqual(patches, snapshot(os.path.join(TOP, "patches")))
        self.assertIn("exists already", self.run_tool("edit", ok=False))


if __name__ == "__main__":
    unittest.main()
