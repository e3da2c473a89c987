/*
 * test_vcs.c: the pure parts of fetching from git: where a module path's
 * repository is (vcs.md VC-2.1, VC-2.3), where the module sits in it
 * (VC-5.1), and the declared path of a go.mod (VC-5.3).
 */
#include "mvtest.h"
#include "modvault/vcs/locate.h"
#include "modvault/vcs/vcsmod.h"

static void
located(const char *module, const char *root, const char *vcs,
    const char *url, bool probe)
{
	struct mv_vcsloc loc;
	struct mv_err err = MV_ERR_INIT;
	bool matched;

	if (mv_vcs_locate_static(module, &loc, &matched, &err) == -1)
		fail_msg("%s: %s", module, err.msg);
	if (!matched)
		fail_msg("%s: not located", module);
	assert_string_equal(loc.root, root);
	assert_string_equal(loc.vcs, vcs);
	assert_string_equal(loc.url, url);
	assert_int_equal(loc.probe, probe);
}

static void
refused(const char *module, const char *msg)
{
	struct mv_vcsloc loc;
	struct mv_err err = MV_ERR_INIT;
	bool matched;

	if (mv_vcs_locate_static(module, &loc, &matched, &err) == 0)
		fail_msg("%s: located, expected \"%s\"", module, msg);
	assert_int_equal(err.code, MV_ENOTFOUND);
	assert_string_equal(err.msg, msg);
}

static void
for_discovery(const char *module)
{
	struct mv_vcsloc loc;
	struct mv_err err = MV_ERR_INIT;
	bool matched = true;

	assert_ok(mv_vcs_locate_static(module, &loc, &matched, &err), &err);
	if (matched)
		fail_msg("%s: located as %s, expected discovery", module,
		    loc.root);
}

/* VC-2.1: the static table. */
static void
vc21_host_table(void **state)
{
	located("github.com/a/b", "github.com/a/b", "git",
	    "https://github.com/a/b", false);
	located("github.com/a/b/c/v2", "github.com/a/b", "git",
	    "https://github.com/a/b", false);
	located("bitbucket.org/x/y/z", "bitbucket.org/x/y", "git",
	    "https://bitbucket.org/x/y", false);
	located("hub.jazz.net/git/user1/repo/pkg", "hub.jazz.net/git/user1/repo",
	    "git", "https://hub.jazz.net/git/user1/repo", false);
	located("git.apache.org/thrift.git/lib/go", "git.apache.org/thrift.git",
	    "git", "https://git.apache.org/thrift.git", false);
	located("git.openstack.org/openstack/x.git/y",
	    "git.openstack.org/openstack/x.git", "git",
	    "https://git.openstack.org/openstack/x.git", false);
	refused("github.com/x", "invalid github.com import path \"github.com/x\"");
	refused("github.com/a/b.git", "invalid version control suffix in "
	    "github.com/ path");
	refused("github.com/a/b+c", "invalid github.com import path "
	    "\"github.com/a/b+c\"");
	refused("hub.jazz.net/git/User/repo", "invalid hub.jazz.net/git import "
	    "path \"hub.jazz.net/git/User/repo\"");
	refused("https://github.com/a/b", "invalid import path "
	    "\"https://github.com/a/b\": a module path has no scheme");
	/* The prefix is a whole element: github.company.com is another host. */
	for_discovery("github.company.com/a/b");
	for_discovery("example.com/a/b");
	for_discovery("gopkg.in/yaml.v3");
}

/* VC-2.3: VCS-qualified paths, with the spec's checked examples. */
static void
vc23_qualified(void **state)
{
	located("example.test/r1.git", "example.test/r1.git", "git",
	    "https://example.test/r1", true);
	located("example.test/x/y.git/sub/v2", "example.test/x/y.git", "git",
	    "https://example.test/x/y", true);
	located("example.test/a.git/b.git", "example.test/a.git/b.git", "git",
	    "https://example.test/a.git/b", true);
	located("example.test/a.git.git", "example.test/a.git.git", "git",
	    "https://example.test/a.git", true);
	located("example.test/~user/r.hg", "example.test/~user/r.hg", "hg",
	    "https://example.test/~user/r", true);
	/* No dot in the host, or a bare ".git" element: not qualified. */
	for_discovery("localhost/r.git");
	for_discovery("example.test/.git");
}

static void
placed(const char *module, const char *root, const char *codedir,
    const char *pathmajor, const char *tagprefix)
{
	struct mv_vcsmod m;
	struct mv_err err = MV_ERR_INIT;

	assert_ok(mv_vcsmod_init(&m, module, root, "https://x", NULL, &err),
	    &err);
	assert_string_equal(m.codedir, codedir);
	assert_string_equal(m.pathmajor, pathmajor);
	assert_string_equal(m.tagprefix, tagprefix);
	mv_vcsmod_release(&m);
}

/* VC-5.1's table, and a root that cannot hold the module. */
static void
vc51_module_in_repo(void **state)
{
	struct mv_vcsmod m;
	struct mv_err err = MV_ERR_INIT;

	placed("github.com/a/b", "github.com/a/b", "", "", "");
	placed("github.com/a/b/v2", "github.com/a/b", "", "/v2", "");
	placed("github.com/a/b/sub/v3", "github.com/a/b", "sub", "/v3", "sub/");
	placed("gopkg.in/yaml.v3", "gopkg.in/yaml.v3", "", ".v3", "");
	placed("nanomsg.org/go/mangos/v2", "nanomsg.org/go/mangos/v2", "", "/v2",
	    "");
	assert_fails(mv_vcsmod_init(&m, "example.com/a/v2", "example.com/a/v2/x",
	    "https://x", NULL, &err), &err, MV_ENOTFOUND);
}

static void
declared(const char *gomod, const char *want)
{
	char out[256];

	mv_vcs_declared_path(gomod, strlen(gomod), out, sizeof(out));
	assert_string_equal(out, want);
}

/* VC-5.3: the declared path, as modfile.ModulePath reads it. */
static void
vc53_declared_path(void **state)
{
	declared("module example.com/m\n", "example.com/m");
	declared("// c\n\n  module   example.com/m // x\ngo 1.16\n",
	    "example.com/m");
	declared("module \"example.com/q\"\n", "example.com/q");
	declared("module `example.com/r`\n", "example.com/r");
	declared("module \"broken\n", "");
	declared("modulex example.com/m\n", "");
	declared("module\n", "");
	declared("module (\n\texample.com/m\n)\n", "(");
	declared("go 1.16\n", "");
	declared("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vc21_host_table),
		cmocka_unit_test(vc23_qualified),
		cmocka_unit_test(vc51_module_in_repo),
		cmocka_unit_test(vc53_declared_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
