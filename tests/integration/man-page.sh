#!/bin/bash
# lkvm.1 and the tables agree: every `lkvm run` option in the option
# table (vmm/run-options.c, as `lkvm help --list-options` prints it) is
# in lkvm.1's OPTIONS FOR RUN, with the same short name, and every option
# lkvm.1 documents there is in the table; the same for the commands
# (vmm/main.c's table, `lkvm help --list-commands`, and lkvm.1's
# COMMANDS); and README.md's table of run options names the same long
# options. No VM, no /dev/kvm. The last checks show that a difference
# on either side makes the comparison fail.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
MAN=${MAN:-$ROOT/lkvm.1}
README=${README:-$ROOT/README.md}

# The tag lines (the line after .TP) of one .SH section of a man page.
man_tags() { # man_tags FILE SECTION
	awk -v sec="$2" '
		/^\.SH / { on = (substr($0, 5) == sec); next }
		on && /^\.TP/ { tag = 1; next }
		on && tag { print; tag = 0 }' "$1"
}

# Options a man page documents for run: "-k --kernel" or "--name".
man_options() { # man_options FILE
	man_tags "$1" "OPTIONS FOR RUN" | sed 's/\\-/-/g' | awk '{
		short = ""; long = ""
		for (i = 1; i <= NF; i++) {
			w = $i
			gsub(/^"|"$|,$|\\f[BIRP]/, "", w)
			if (short == "" && w ~ /^-[a-zA-Z]$/)
				short = w
			else if (long == "" && w ~ /^--[a-z0-9][a-z0-9-]*$/)
				long = w
		}
		if (long != "")
			print (short != "" ? short " " : "") long
	}' | sort
}

# Commands a man page documents: the first word of each COMMANDS tag.
man_commands() { # man_commands FILE
	man_tags "$1" "COMMANDS" | awk '$1 ~ /^\.B/ { print $2 }' | sort
}

# Long options in the first column of README's option table.
readme_options() { # readme_options FILE
	# shellcheck disable=SC2016 # backquotes: Markdown, not a command
	sed -n 's/^| \(`-[^|]*\(\\|[^|]*\)*\) | .*/\1/p' "$1" |
		grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# agree WHAT LIST1 LIST2: the same lines; the difference as TAP comments.
agree() {
	if diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >"$TMP/diff"; then
		return 0
	fi
	sed 's/^/# /' "$TMP/diff"
	return 1
}
disagree() { ! agree "$@" >/dev/null; }

if [ ! -x "$LKVM" ]; then
	skip "lkvm.1 and the option and command tables agree" "$LKVM not built"
	done_testing
	exit
fi
table_opts=$("$LKVM" help --list-options | sort)
table_cmds=$("$LKVM" help --list-commands | sort)
man_opts=$(man_options "$MAN")
man_cmds=$(man_commands "$MAN")

check "lkvm help --list-options lists the run options ($(echo "$table_opts" | wc -l))" \
	grep -qx -- "-k --kernel" <<<"$table_opts"
check "lkvm.1's OPTIONS FOR RUN yields options too ($(echo "$man_opts" | wc -l))" \
	grep -qx -- "-d --disk" <<<"$man_opts"
check "every option in the table is in lkvm.1 and every option lkvm.1 documents for run is in the table" \
	agree options "$table_opts" "$man_opts"
check "every command in the table is in lkvm.1's COMMANDS, and the reverse" \
	agree commands "$table_cmds" "$man_cmds"
check "README.md's option table names the table's long options, no more" \
	agree README "$(echo "$table_opts" | sed 's/.* //' | sort)" \
	"$(readme_options "$README")"

# Either side gaining what the other lacks makes the comparison fail.
sed '/^\.B \\-\\-rng$/,+1d' "$MAN" >"$TMP/less.1"
check "a man page without --rng: the options disagree" \
	disagree options "$table_opts" "$(man_options "$TMP/less.1")"
sed 's/^\.SH KERNEL FORMATS$/.TP\n.B \\-\\-frobnicate\nNot an option.\n&/' "$MAN" >"$TMP/more.1"
check "a man page with an extra --frobnicate: the options disagree" \
	disagree options "$table_opts" "$(man_options "$TMP/more.1")"
sed 's/^\.BR \\-c ", " /.BR \\-C ", " /' "$MAN" >"$TMP/short.1"
check "a man page giving --cpus another short name: the options disagree" \
	disagree options "$table_opts" "$(man_options "$TMP/short.1")"
check "a table with an extra --frobnicate: the options disagree" \
	disagree options "$(printf "%s\n--frobnicate" "$table_opts" | sort)" "$man_opts"
sed 's/^\.SH OPTIONS FOR RUN$/.TP\n.B snapshot\nNot a command.\n&/' "$MAN" >"$TMP/cmd.1"
check "a man page with an extra command: the commands disagree" \
	disagree commands "$table_cmds" "$(man_commands "$TMP/cmd.1")"
check "a table with an extra command: the commands disagree" \
	disagree commands "$(printf "%s\nsnapshot" "$table_cmds" | sort)" "$man_cmds"
grep -v -- '^| .--rng. |' "$README" >"$TMP/README.md"
check "a README without --rng: they disagree" \
	disagree README "$(echo "$table_opts" | sed 's/.* //' | sort)" \
	"$(readme_options "$TMP/README.md")"
done_testing
