// SPDX-License-Identifier: GPL-2.0
/*
 * --jail, outside: check the options, listen on the control socket,
 * start the jailed stage in new namespaces and wait for it (jail.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "control.h"
#include "jail.h"
#include "log.h"
#include "parse-num.h"
#include "signals.h"
#include "term.h"
#include "vm.h"

#define JAIL_STACK_SIZE (256 * 1024)

/* Everything the outside knows about the jail it starts. */
struct jail_outer {
	struct vm_config *cfg;
	bool userns;
	int clone_flags;
	char name[CONTROL_NAME_MAX + 1];
	int lock_fd, listen_fd;
	char sock_path[CONTROL_PATH_MAX];
	char **argv;		/* "lkvm" and cfg->argv */
	char **envp;		/* environ without JAIL_STAGE_ENV, with ours */
	sigset_t old_mask;
};

/* DIR: a directory, not "/", owned by root or us, not group/other-writable. */
static int jail_check_dir(const char *dir)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real) || stat(real, &st)) {
		pr_err("--jail '%s': %s", dir, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_err("--jail '%s': not a directory", dir);
		return -EINVAL;
	}
	if (!strcmp(real, "/")) {
		pr_err("--jail '%s': the jail cannot be the host's root", dir);
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		pr_err("--jail '%s': owned by uid %u, neither root nor this user: refusing it",
		       dir, (unsigned int)st.st_uid);
		return -EINVAL;
	}
	if (st.st_mode & 0022) {
		pr_err("--jail '%s': writable by group or others: refusing it",
		       dir);
		return -EINVAL;
	}
	return 0;
}

/*
 * A decimal uid or gid, whole-string, no blanks or sign; (u32)-1 is no id
 * (setresuid() reads it as "unchanged"). Anything else is a name.
 */
static bool jail_number(const char *s, u32 *id)
{
	unsigned long v;

	if (parse_num_ulong(s, UINT32_MAX - 1, 0, &v))
		return false;
	*id = (u32)v;
	return true;
}

/* --jail-user USER[:GROUP] into j->uid, j->gid; names through NSS, now. */
static int jail_resolve_user(struct jail_config *j)
{
	char user[256], *group;
	struct passwd *pw;
	struct group *gr;
	bool numeric;
	u32 n;

	if (!j->user) {
		if (geteuid() == 0) {
			pr_err("--jail as root needs --jail-user USER[:GROUP], the user the jailed VM runs as (lkvm(1), JAIL)");
			return -EINVAL;
		}
		j->uid = getuid();
		j->gid = getgid();
		return 0;
	}
	if (snprintf(user, sizeof(user), "%s", j->user) >= (int)sizeof(user)) {
		pr_err("--jail-user '%s': too long", j->user);
		return -EINVAL;
	}
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	numeric = jail_number(user, &n);
	pw = numeric ? getpwuid((uid_t)n) : getpwnam(user);
	if (!pw && (!numeric || !group)) {
		pr_err("--jail-user '%s': no such user%s", j->user,
		       numeric ? " (give a group too, UID:GID)" : "");
		return -EINVAL;
	}
	j->uid = pw ? pw->pw_uid : n;
	j->gid = pw ? pw->pw_gid : 0;
	if (group) {
		numeric = jail_number(group, &n);
		gr = numeric ? NULL : getgrnam(group);
		if (!numeric && !gr) {
			pr_err("--jail-user '%s': no such group '%s'", j->user,
			       group);
			return -EINVAL;
		}
		j->gid = gr ? gr->gr_gid : n;
	}
	if (geteuid() != 0 && (j->uid != getuid() || j->gid != getgid())) {
		pr_err("--jail-user '%s': only root can run the jail as another user or group",
		       j->user);
		return -EINVAL;
	}
	return 0;
}

/* What the jailed stage cannot do: refused here, with the reason. */
static int jail_check_config(struct vm_config *cfg, int *clone_flags)
{
	bool host_net = cfg->default_nic;
	unsigned int i;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		pr_err("--jail: this kernel has no seccomp, which the jail needs");
		return -EINVAL;
	}
	if (cfg->vsock_cid && !cfg->vsock_path) {
		pr_err("--jail with --vsock needs path=SOCK: the default socket is in the control directory, outside the jail");
		return -EINVAL;
	}
	for (i = 0; i < cfg->nr_nets; i++) {
		const struct net_config *n = &cfg->nets[i];

		if (n->script || n->downscript) {
			pr_err("--jail: -n '%s': script= and downscript= cannot run in the jail",
			       n->arg);
			return -EINVAL;
		}
		if (n->mode != NET_MODE_NONE)
			host_net = true;
	}
	*clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
		       CLONE_NEWUTS | (host_net ? 0 : CLONE_NEWNET);
	return 0;
}

/* argv and envp of the jailed stage. */
static int jail_exec_args(struct jail_outer *o)
{
	struct vm_config *cfg = o->cfg;
	unsigned int argc = 0, envc = 0, i, n = 0;
	size_t len = strlen(JAIL_STAGE_ENV);
	char *stage;

	while (cfg->argv[argc])
		argc++;
	while (environ && environ[envc])
		envc++;
	o->argv = calloc(argc + 2, sizeof(*o->argv));
	o->envp = calloc(envc + 2, sizeof(*o->envp));
	if (!o->argv || !o->envp ||
	    asprintf(&stage, "%s=%c,%d,%d,%u,%u,%d,%d,%s", JAIL_STAGE_ENV,
		     o->userns ? 'u' : 'r', o->lock_fd, o->listen_fd,
		     cfg->jail.uid, cfg->jail.gid, (int)getpid(),
		     term_fd_background(STDIN_FILENO), o->name) < 0)
		return -ENOMEM;
	if (!jail_own(&cfg->jail, stage))
		return -ENOMEM;
	o->argv[0] = "lkvm";
	for (i = 0; i < argc; i++)
		o->argv[i + 1] = cfg->argv[i];
	for (i = 0; i < envc; i++)
		if (strncmp(environ[i], JAIL_STAGE_ENV, len) ||
		    environ[i][len] != '=')
			o->envp[n++] = environ[i];
	o->envp[n] = stage;
	return 0;
}

static int jail_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t len = (ssize_t)strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		err = -errno;
	close(fd);
	return err;
}

/*
 * In the new user namespace: map our own uid and gid (setgroups denied,
 * as an unprivileged map needs), and keep CAP_SYS_ADMIN and CAP_SETPCAP
 * across the exec as ambient capabilities, for the mounts and the drop.
 */
static int jail_userns_setup(const struct jail_outer *o)
{
	static const int keep[] = { CAP_SYS_ADMIN, CAP_SETPCAP };
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	char map[64];
	unsigned int i;
	int err;

	snprintf(map, sizeof(map), "%u %u 1\n", o->cfg->jail.uid,
		 o->cfg->jail.uid);
	err = jail_write_file("/proc/self/uid_map", map);
	if (!err)
		err = jail_write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1\n", o->cfg->jail.gid,
		 o->cfg->jail.gid);
	if (!err)
		err = jail_write_file("/proc/self/gid_map", map);
	if (err)
		return err;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(keep); i++)
		data[keep[i] / 32].inheritable |= 1U << (keep[i] % 32);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	for (i = 0; i < ARRAY_SIZE(keep); i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, keep[i], 0, 0))
			return -errno;
	return 0;
}

/* The clone()d child, in the new namespaces: exec the jailed stage. */
static int jail_child(void *arg)
{
	struct jail_outer *o = arg;
	sigset_t chld;
	int err = 0;

	if (o->userns)
		err = jail_userns_setup(o);
	if (err) {
		pr_err("--jail: cannot set up the user namespace: %s",
		       strerror(-err));
		_exit(1);
	}
	/* The jail dies with the lkvm outside (again after the drop). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) {
		pr_err("--jail: PR_SET_PDEATHSIG: %s", strerror(errno));
		_exit(1);
	}
	/* The control socket goes across the exec. */
	if (fcntl(o->lock_fd, F_SETFD, 0) || fcntl(o->listen_fd, F_SETFD, 0)) {
		pr_err("--jail: fcntl: %s", strerror(errno));
		_exit(1);
	}
	/*
	 * SIGINT, SIGTERM, SIGHUP stay blocked: a PID namespace's init
	 * ignores signals it has no handler for, and the jailed lkvm reads
	 * them from a signalfd once it has one, so that none is lost before.
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	execve("/proc/self/exe", o->argv, o->envp);
	pr_err("--jail: cannot run /proc/self/exe again: %s", strerror(errno));
	_exit(1);
}

/* Forward the stop signals to the jailed stage; its exit status. */
static int jail_wait(pid_t pid, const sigset_t *set)
{
	siginfo_t si;
	int st;

	for (;;) {
		if (sigwaitinfo(set, &si) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("--jail: sigwaitinfo: %s", strerror(errno));
			kill(pid, SIGKILL);
		} else if (si.si_signo != SIGCHLD) {
			if (kill(pid, si.si_signo) && errno != ESRCH)
				pr_warn("--jail: cannot forward signal %d: %s",
					si.si_signo, strerror(errno));
			continue;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int jail_spawn(struct jail_outer *o)
{
	sigset_t set;
	char *stack;
	pid_t pid;
	int flags = o->clone_flags | (o->userns ? CLONE_NEWUSER : 0);

	stack = malloc(JAIL_STACK_SIZE);
	if (!stack) {
		pr_err("out of memory");
		return -EINVAL;
	}
	/* The stop signals are blocked already (lkvm run's first step). */
	signals_stop_set(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &o->old_mask)) {
		pr_err("--jail: sigprocmask: %s", strerror(errno));
		free(stack);
		return -EINVAL;
	}
	fflush(stdout);
	fflush(stderr);
	pid = clone(jail_child, stack + JAIL_STACK_SIZE, flags | SIGCHLD, o);
	if (pid < 0) {
		int err = errno;

		sigprocmask(SIG_SETMASK, &o->old_mask, NULL);
		free(stack);
		if (o->userns)
			pr_err("--jail: cannot create a user namespace and the jail's namespaces: %s (does this host allow unprivileged user namespaces?)",
			       strerror(err));
		else
			pr_err("--jail: cannot create the jail's namespaces: %s",
			       strerror(err));
		return -EINVAL;
	}
	free(stack);
	/* From here on only wait: the jailed stage does the rest. */
	return jail_wait(pid, &set);
}

static void jail_outer_release(struct jail_outer *o)
{
	if (o->sock_path[0])
		unlink(o->sock_path);
	if (o->listen_fd >= 0)
		close(o->listen_fd);
	if (o->lock_fd >= 0)
		close(o->lock_fd);
	free(o->argv);
	free(o->envp);
}

static int jail_outside(struct vm_config *cfg)
{
	struct jail_outer o = { .cfg = cfg, .lock_fd = -1, .listen_fd = -1 };
	int err, status;
	char *name;

	o.userns = geteuid() != 0;
	if (jail_check_dir(cfg->jail.dir) || jail_resolve_user(&cfg->jail) ||
	    jail_check_config(cfg, &o.clone_flags))
		return -EINVAL;
	name = vm_name_of(cfg);
	if (!name) {
		pr_err("out of memory");
		return -EINVAL;
	}
	snprintf(o.name, sizeof(o.name), "%s", name);
	free(name);
	err = control_listen(o.name, &o.lock_fd, &o.listen_fd, o.sock_path,
			     sizeof(o.sock_path));
	if (err == -EEXIST) {
		pr_err("a VM named '%s' is already running", o.name);
		return -EINVAL;
	}
	if (err) {
		char dir[CONTROL_PATH_MAX] = "";

		control_dir(dir, sizeof(dir), false);
		pr_err("--jail: cannot listen on the control socket in '%s': %s",
		       dir, control_dir_refusal(err) ?: strerror(-err));
		return -EINVAL;
	}
	if (jail_exec_args(&o)) {
		pr_err("out of memory");
		jail_outer_release(&o);
		return -EINVAL;
	}
	status = jail_spawn(&o);
	jail_outer_release(&o);
	return status;
}

/* The jailed stage's marker: 1 and cfg filled, 0 when absent, -EINVAL. */
static int jail_stage_parse(struct vm_config *cfg)
{
	const char *env = getenv(JAIL_STAGE_ENV);
	struct jail_config *j = &cfg->jail;
	char mode, name[CONTROL_NAME_MAX + 1];
	unsigned int uid, gid;
	int lock_fd, listen_fd, pid, bg, n = 0;
	struct stat st;

	if (!env)
		return 0;
	if (sscanf(env, "%c,%d,%d,%u,%u,%d,%d,%64[A-Za-z0-9._-]%n", &mode,
		   &lock_fd, &listen_fd, &uid, &gid, &pid, &bg, name,
		   &n) != 8 ||
	    env[n] || (mode != 'u' && mode != 'r') || (bg != 0 && bg != 1) ||
	    !control_name_valid(name) ||
	    fstat(listen_fd, &st) || !S_ISSOCK(st.st_mode) ||
	    fstat(lock_fd, &st) || !S_ISREG(st.st_mode))
		return -EINVAL;
	/* Only as the init of a new PID namespace, as the outside starts us. */
	if (getpid() != 1)
		return -EINVAL;
	j->inside = true;
	j->userns = mode == 'u';
	j->lock_fd = lock_fd;
	j->listen_fd = listen_fd;
	j->uid = uid;
	j->gid = gid;
	j->host_pid = pid;
	j->tty_background = bg;
	cfg->name = jail_own(j, strdup(name));
	if (!cfg->name || unsetenv(JAIL_STAGE_ENV))
		return -ENOMEM;
	if (fcntl(lock_fd, F_SETFD, FD_CLOEXEC) ||
	    fcntl(listen_fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	return 1;
}

int jail_start(struct vm_config *cfg, bool *outside)
{
	int r = jail_stage_parse(cfg);

	*outside = r == 0;
	if (r == 0)
		return jail_outside(cfg);
	if (r < 0) {
		pr_err("--jail: %s is not what lkvm sets for its jailed stage: %s",
		       JAIL_STAGE_ENV, strerror(-r));
		return r;
	}
	return jail_enter(cfg);
}
