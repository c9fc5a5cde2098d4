#!/usr/bin/env bash
# Builds the operator image's base as a directory that Jib adds on top of `scratch`: a jlinked Java
# runtime in /opt/java, the shared libraries it loads (found with ldd, copied to the same paths),
# and the few files a process expects in /etc. Nothing is downloaded: the JDK building this is the
# source (its jmods), so the image's Java is the build's Java.
#
#   build-runtime.sh JAVA_HOME MODULES OUTPUT_DIR
set -euo pipefail

java_home=$1
modules=$2
out=$3

if [ ! -d "$java_home/jmods" ]; then
  echo "build-runtime: $java_home has no jmods/ (Debian: apt-get install openjdk-17-jdk-headless;" \
    "or build with a JDK that has them, -Djib.runtime.jdk=/path/to/jdk)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/home/nonroot"

"$java_home/bin/jlink" \
  --module-path "$java_home/jmods" \
  --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/opt/java"

# java.desktop is there for java.beans (Jackson, SnakeYAML); a headless server never loads AWT,
# fonts, sound or image codecs, whose libraries would pull X11, ALSA and friends into the image.
rm -f "$out"/opt/java/lib/{libawt_xawt,libawt_headless,libawt,libjawt,libfontmanager,libjsound,libsplashscreen,libjavajpeg,liblcms,libmlib_image}.so

# Debian's JDK links its trust store to /etc/ssl/certs/java/cacerts: give the image a real file
# (the CAs a JVM trusts by default when vcenter.caBundle / vcenter.thumbprint are not set).
rm -f "$out/opt/java/lib/security/cacerts"
cp -L "$java_home/lib/security/cacerts" "$out/opt/java/lib/security/cacerts"
# Links (the legal notices point at each other) become plain files: an image layer should not
# depend on how a link resolves.
find "$out/opt/java" -type l | while read -r link; do
  target=$(readlink -f "$link" || true)
  rm -f "$link"
  if [ -n "$target" ] && [ -f "$target" ]; then cp "$target" "$link"; fi
done

# The shared libraries of the launcher, the JVM and every native library left: same paths as
# here, so the dynamic loader finds them where it always looks.
{
  ldd "$out/opt/java/bin/java"
  find "$out/opt/java/lib" -name '*.so' -exec ldd {} \;
} | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }' | sort -u | grep -v "^$out/" |
  while read -r lib; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
missing=$( { ldd "$out/opt/java/bin/java"; find "$out/opt/java/lib" -name '*.so' -exec ldd {} \; ; } \
  | grep 'not found' | grep -v 'libjvm.so' || true)
if [ -n "$missing" ]; then
  echo "build-runtime: unresolved libraries:" >&2
  echo "$missing" >&2
  exit 1
fi

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  >"$out/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$out/etc/group"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"

echo "build-runtime: $(du -sh "$out" | cut -f1) in $out (modules: $modules)"
