#!/usr/bin/env bash
# Fetches BouncyCastle's provider, PKIX (CMP/CRMF) and util jars from Maven Central into
# test/peer/bouncycastle/.build/lib (git-ignored) for the BouncyCastle peer tests.
# Idempotent: does nothing when the jars are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${BOUNCYCASTLE_VERSION:-1.80}"
lib="test/peer/bouncycastle/.build/lib"
artifacts=(bcprov-jdk18on bcpkix-jdk18on bcutil-jdk18on)

missing=()
for artifact in "${artifacts[@]}"; do
  [ -s "$lib/$artifact-$version.jar" ] || missing+=("$artifact")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "fetch-bouncycastle: mvn is needed (apt-get install maven)" >&2; exit 1; }
mkdir -p "$lib"
for artifact in "${missing[@]}"; do
  echo "fetch-bouncycastle: org.bouncycastle:$artifact:$version"
  mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="org.bouncycastle:$artifact:$version" -DoutputDirectory="$lib"
done
