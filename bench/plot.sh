#!/usr/bin/env bash
# Draws the figures of docs/performance.md as PNGs (gnuplot, as the seed's serval_gnuplot did):
#   bench/plot.sh RESULTS.csv [OUT_DIR]
# RESULTS.csv is a report of the shared harness (bench/run.sh writes docs/bench-results/peers-STAMP.csv); it gives
# throughput-vs-peers.png, rtt-vs-peers.png and udp64-vs-peers.png. The other two come from the data files in
# docs/data/ (get-vlans-latency.dat, cpu-vs-clients.dat, written from the benchmarks' runs): get-vlans-latency.png
# and cpu-vs-clients.png. OUT_DIR defaults to docs/plots. Installs gnuplot-nox when it is missing (Debian).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
csv=${1:?usage: bench/plot.sh RESULTS.csv [OUT_DIR]}
out=${2:-$root/docs/plots}
data="$root/docs/data"
mkdir -p "$out"
command -v gnuplot >/dev/null || { apt-get install -y -q gnuplot-nox >/dev/null || {
  echo "gnuplot is missing and could not be installed" >&2; exit 1; }; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One row per variant that ran, the median of its rounds (as the harness's report): name, TCP x1, TCP x4, RTT avg,
# RTT p99, UDP64 received kpps.
python3 - "$csv" >"$tmp/peers.dat" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["state"] == "ok"]
order = []
for r in rows:
    if r["variant"] not in order:
        order.append(r["variant"])
def median(variant, key, scale=1.0):
    values = [float(r[key]) / scale for r in rows if r["variant"] == variant and r[key] not in ("", None)]
    return statistics.median(values) if values else float("nan")
for v in order:
    print('"%s" %.1f %.1f %.3f %.3f %.1f' % (v, median(v, "tcp1_mbps"), median(v, "tcp4_mbps"),
          median(v, "rtt_avg_ms"), median(v, "rtt_p99_ms"), median(v, "udp64_recv_pps", 1000)))
PY
stamp=$(basename "$csv" .csv)
common="set terminal pngcairo size 1000,560 font 'sans,10'; set style data histograms; set style fill solid 0.85 border -1;
set boxwidth 0.85; set grid ytics; set xtics rotate by -30 left; set key top left; set datafile missing 'nan'"
gnuplot <<EOF
$common
set output '$out/throughput-vs-peers.png'
set title 'TCP throughput c1 -> c2 through the server, median of the rounds ($stamp)'
set ylabel 'Mbit/s (log scale)'
set logscale y
plot '$tmp/peers.dat' using 2:xtic(1) title 'one stream', '' using 3 title 'four streams'
EOF
gnuplot <<EOF
$common
set output '$out/rtt-vs-peers.png'
set title 'Round trip c1 -> c2 -> c1 through the server, ping every 10 ms, median of the rounds ($stamp)'
set ylabel 'ms (log scale)'
set logscale y
plot '$tmp/peers.dat' using 4:xtic(1) title 'average', '' using 5 title '99th percentile'
EOF
gnuplot <<EOF
$common
set output '$out/udp64-vs-peers.png'
set title '64-byte UDP datagrams received per second, median of the rounds ($stamp)'
set ylabel 'thousand per second'
plot '$tmp/peers.dat' using 6:xtic(1) title 'received'
EOF
if [ -f "$data/get-vlans-latency.dat" ]; then
  gnuplot <<EOF
set terminal pngcairo size 900,520 font 'sans,10'; set grid; set key top right
set output '$out/get-vlans-latency.png'
set title 'get-vlans over RESTCONF against the number of VLANs (one node)'
set logscale x; set xlabel 'VLANs'; set ylabel 'ms'; set yrange [0:*]
plot '$data/get-vlans-latency.dat' using 1:2 with linespoints title 'p50', '' using 1:3 with linespoints title 'p90', \
  '' using 1:4 with linespoints title 'p99', 5 with lines dashtype 2 title 'target p99'
EOF
fi
if [ -f "$data/cpu-vs-clients.dat" ]; then
  gnuplot <<EOF
set terminal pngcairo size 900,520 font 'sans,10'; set grid; set key top left
set output '$out/cpu-vs-clients.png'
set title 'Server CPU against idle clients with keepalives (TLS, one node)'
set xlabel 'clients'; set ylabel 'cores'; set yrange [0:0.6]
plot '$data/cpu-vs-clients.dat' using 1:2 with linespoints title 'server CPU', 0.5 with lines dashtype 2 title 'target'
EOF
fi
ls "$out"/*.png
