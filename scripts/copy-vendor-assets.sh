#!/usr/bin/env bash
# Copy the front-end libraries installed by npm (package-lock.json) into gigunion/static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=gigunion/static/vendor
rm -rf "$target.tmp" && mkdir -p "$target.tmp/echarts" "$target.tmp/leaflet"
cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE "$target.tmp/echarts/"
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images \
  node_modules/leaflet/LICENSE "$target.tmp/leaflet/"
rm -rf "$target" && mv "$target.tmp" "$target"
