#!/usr/bin/env bash
# Draws the picture of the Grafana dashboard (docs/grafana/serval.json) from real data, with gnuplot: Grafana is in
# no Debian or npm package, so the panels' data is what a real Prometheus (Debian's) scraped from a real node while
# MetricsTest's clients pinged, asked with the panels' own expressions (it/.../MetricsRecording.java).
#
#   flock /tmp/serval-build.lock ./mvnw -B -o -pl it -am clean verify -Dtest=MetricsTest \
#       -Dsurefire.failIfNoSpecifiedTests=false -Dserval.it.metrics.record=/tmp/serval-metrics
#   scripts/metrics-pictures.sh /tmp/serval-metrics      # writes docs/images/metrics-dashboard.png
set -euo pipefail
data=${1:?usage: scripts/metrics-pictures.sh DIR (the recording of MetricsTest)}
out=${2:-$(cd "$(dirname "$0")/.." && pwd)/docs/images/metrics-dashboard.png}
command -v gnuplot >/dev/null || { echo "gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 1; }
for panel in clients sessions vlan-frames vlan-bits client-bits jvm-heap vlan-members datastore-ms; do
  [ -s "$data/$panel.tsv" ] || { echo "no $data/$panel.tsv: record with MetricsTest first" >&2; exit 1; }
done
gnuplot <<GP
set terminal pngcairo size 1400,1300 font "DejaVu Sans,10"
set output "$out"
set datafile separator "\t"
set datafile missing "NaN"
set key autotitle columnhead top left box opaque
set grid
set yrange [0:*]
set xlabel "seconds"
set style data lines
set multiplot layout 4,2 title "SERVAL (docs/grafana/serval.json's panels, drawn by gnuplot from a real Prometheus scrape)"
cols(f) = system("head -1 '".f."' | awk -F'\t' '{print NF}'")
set title "Clients"
plot "$data/clients.tsv" using 1:2 lw 2 title "clients"
set title "Sessions by transport"
plot for [i=2:cols("$data/sessions.tsv")] "$data/sessions.tsv" using 1:i lw 2
set title "VLAN frames by outcome (frames/s)"
plot for [i=2:cols("$data/vlan-frames.tsv")] "$data/vlan-frames.tsv" using 1:i lw 2
set title "VLAN throughput (bit/s)"
plot for [i=2:cols("$data/vlan-bits.tsv")] "$data/vlan-bits.tsv" using 1:i lw 2
set title "Clients' traffic in (bit/s)"
plot for [i=2:cols("$data/client-bits.tsv")] "$data/client-bits.tsv" using 1:i lw 2
set title "JVM heap used (MiB)"
plot "$data/jvm-heap.tsv" using 1:2 lw 2 title "heap"
set title "VLAN members"
plot for [i=2:cols("$data/vlan-members.tsv")] "$data/vlan-members.tsv" using 1:i lw 2
set title "Datastore write latency (ms)"
plot for [i=2:cols("$data/datastore-ms.tsv")] "$data/datastore-ms.tsv" using 1:i lw 2
unset multiplot
GP
echo "wrote $out"
