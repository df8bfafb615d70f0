#!/usr/bin/env bash
# Builds the lab's RISC-V Linux kernel (`npm run kernel`): Debian's linux-source-6.12 + tinyconfig + kernel/lab.config,
# with our init (kernel/init/lab-init.c, built against the kernel's nolibc) in an embedded initramfs.
# The result is cached outside the repository, keyed by a hash of this script, the config fragment, the init and the
# initramfs list:  $FTRACE_LAB_CACHE/kernel/<key>/{Image,vmlinux,System.map,config,kernel.json}
# (FTRACE_LAB_CACHE defaults to $XDG_CACHE_HOME/ftrace-lab or ~/.cache/ftrace-lab). A cached key is not rebuilt.
# Installs what it needs with apt-get when it is missing (needs root, as on the project's machines).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${FTRACE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftrace-lab}"
inputs=(build.sh lab.config initramfs.list init/lab-init.c)
jobs="${KERNEL_JOBS:-$(nproc)}"

# the cache key: sha256 over "name NUL content NUL" of each input, first 16 hex digits (src/board/kernel-cache.ts
# computes the same key to find the Image)
key="$(cd "$here" && for f in "${inputs[@]}"; do printf '%s\0' "$f"; cat "$f"; printf '\0'; done | sha256sum | cut -c1-16)"
out="$cache/kernel/$key"
if [ -f "$out/kernel.json" ] && [ "${1:-}" != "--force" ]; then
  echo "kernel: cached $out/Image"
  exit 0
fi

# ---- Debian packages
need=()
dpkg -s linux-source-6.12 >/dev/null 2>&1 || need+=(linux-source-6.12)
dpkg -s opensbi >/dev/null 2>&1 || need+=(opensbi)
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-riscv64-linux-gnu)
for p in flex bison bc libelf-dev libssl-dev cpio make xz-utils rsync; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "kernel: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

version="$(dpkg-query -W -f='${Version}' linux-source-6.12)"
src="$cache/src/linux-source-6.12-$version"
if [ ! -f "$src/Makefile" ]; then
  echo "kernel: unpacking linux-source-6.12 $version"
  mkdir -p "$cache/src"
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  tar -xf /usr/src/linux-source-6.12.tar.xz -C "$src.tmp"
  mv "$src.tmp/linux-source-6.12" "$src" && rmdir "$src.tmp"
fi

build="$cache/kernel/build-6.12"
mkdir -p "$build"
kmake=(make -C "$src" O="$build" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$jobs")

# ---- configure: tinyconfig + our fragment + the initramfs list; every line of the fragment must stick
"${kmake[@]}" -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$here/lab.config" >/dev/null
echo "CONFIG_INITRAMFS_SOURCE=\"$build/initramfs.list\"" >> "$build/.config"
"${kmake[@]}" -s olddefconfig >/dev/null
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qxF "$line" "$build/.config" || { echo "kernel: config did not take '$line'" >&2; exit 1; } ;;
    "# CONFIG_"*" is not set") sym="${line#\# }"; sym="${sym%% *}"
      if grep -q "^$sym=" "$build/.config"; then echo "kernel: config did not take '$line'" >&2; exit 1; fi ;;
  esac
done < "$here/lab.config"

# ---- the init: the kernel's nolibc + its UAPI headers as a sysroot (both installed from the O= build), one static ELF
sysroot="$build/nolibc"
if [ ! -f "$sysroot/sysroot/include/nolibc.h" ]; then
  "${kmake[@]}" -s headers_install INSTALL_HDR_PATH="$sysroot/sysroot" >/dev/null
  make -s -C "$src/tools/include/nolibc" ARCH=riscv OUTPUT="$sysroot/" headers >/dev/null
fi
rootfs="$build/initramfs"
mkdir -p "$rootfs"
riscv64-linux-gnu-gcc -Os -static -nostdlib -fno-asynchronous-unwind-tables -fno-ident -fno-stack-protector \
  -Wall -Wextra -Wno-unused-parameter -nostdinc -isystem "$sysroot/sysroot/include" -include nolibc.h \
  -o "$rootfs/init" "$here/init/lab-init.c" -lgcc
sed "s|@INIT@|$rootfs/init|" "$here/initramfs.list" > "$build/initramfs.list"
# ---- build
echo "kernel: building Linux 6.12 ($version) Image with $jobs jobs in $build"
start=$(date +%s)
"${kmake[@]}" -s Image
echo "kernel: built in $(( $(date +%s) - start )) s"

mkdir -p "$out.tmp"
cp "$build/arch/riscv/boot/Image" "$build/vmlinux" "$build/System.map" "$out.tmp/"
cp "$build/.config" "$out.tmp/config"
cp "$rootfs/init" "$out.tmp/init"
cat > "$out.tmp/kernel.json" <<EOF
{"key": "$key", "linux": "6.12", "debianVersion": "$version", "image": "Image", "vmlinux": "vmlinux", "systemMap": "System.map", "config": "config", "init": "init"}
EOF
rm -rf "$out" && mv "$out.tmp" "$out"
echo "kernel: $out/Image ($(stat -c %s "$out/Image") bytes)"
