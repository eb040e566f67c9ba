# Sourced by the server scripts (moto-server, openbao-server, gcp-servers, azure-servers,
# zenml-server): the port a server listens on, on 127.0.0.1, given or picked free.
ports_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# port_or_free WHO VARIABLE WIDTH [PORT]: prints PORT if given, else $VARIABLE if set, else the first
# of WIDTH consecutive ports that are free now (a server that also binds PORT+1 has WIDTH 2).
# A given port must be free, with the WIDTH-1 after it; if not, says so in one line naming the
# port and VARIABLE, and fails. Use it as  port="$(port_or_free …)" || exit 1.
port_or_free() {
    local who="$1" var="$2" width="$3" port="${4:-}" from busy span=""
    if [ -n "$port" ]; then
        from="the PORT argument"
    elif [ -n "${!var:-}" ]; then
        port="${!var}" from="$var"
    else
        "$ports_dir/free-port" "$width"
        return
    fi
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ $((port + width - 1)) -gt 65535 ]; then
        echo "$who: $from is '$port', not a port number (1..$((65536 - width)))" >&2
        return 1
    fi
    if ! busy="$("$ports_dir/free-port" --check "$port" "$width")"; then
        [ "$width" -gt 1 ] && span=" (the server needs ports $port to $((port + width - 1)))"
        if [ "$from" = "$var" ]; then
            echo "$who: port $busy on 127.0.0.1 is already in use$span: set $var to a free port, or unset it to have one picked" >&2
        else
            echo "$who: port $busy on 127.0.0.1 is already in use$span: give another PORT, or none to have a free one picked" >&2
        fi
        return 1
    fi
    echo "$port"
}

# port_taken_during_start WHO PORTS LOG: if the server's LOG says its address was in use (another
# program took PORTS after they were checked), says so in one line and fails.
port_taken_during_start() {
    if grep -qi 'address already in use' "$3" 2>/dev/null; then
        echo "$1: 127.0.0.1:$2 was taken by another program while the server started (see $3); run again" >&2
        return 1
    fi
}
