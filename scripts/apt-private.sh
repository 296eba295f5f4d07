# scripts/apt-private.sh - sourced by kernel-fetch.sh and pin-module-build.sh:
# apt with a state of our own, so that fetching another suite's packages
# never touches the machine's apt configuration (kernel-fetch.sh says why).
#
# apt_private_init STATE SUITE URI ARCH...: STATE (a directory) gets a
# sources file naming SUITE's main at URI for the ARCHes, and an empty
# dpkg status; then `apt_private CMD ARGS` runs apt's CMD there (the first
# ARCH is apt's own).  Every path apt would write is private; the
# machine's dpkg status is not read either (an empty one), so nothing
# here can plan an upgrade.

apt_private_init() {
	apt_state=$1 apt_suite=$2 apt_uri=$3
	shift 3
	apt_arches=$*
	mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial" "$apt_state/etc"
	printf 'deb [arch=%s signed-by=%s] %s %s main\n' "$(echo "$apt_arches" | tr ' ' ,)" \
		/usr/share/keyrings/debian-archive-keyring.gpg "$apt_uri" "$apt_suite" \
		>"$apt_state/etc/sources.list"
	: >"$apt_state/status"
}

apt_private() {
	set -- "$@" -q -o Dir::Etc::SourceList="$apt_state/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::Lists="$apt_state/lists" -o Dir::State::status="$apt_state/status" \
		-o Dir::Cache="$apt_state/cache" -o Debug::NoLocking=1 \
		-o APT::Sandbox::User="$(id -un)" \
		-o APT::Architecture="${apt_arches%% *}"
	for a in $apt_arches; do
		set -- "$@" -o APT::Architectures::="$a"
	done
	"$@"
}
