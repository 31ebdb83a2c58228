#!/usr/bin/env bash
# Installs the native libraries and tools Discovery needs on Debian/Ubuntu (idempotent).
set -euo pipefail
pkgs=(libopenblas-dev libsentencepiece-dev libjson-c-dev pkg-config python3 python3-pip bubblewrap)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Python packages used only by interoperability tests (reference SentencePiece and safetensors).
if ! python3 -c "import safetensors, sentencepiece, numpy" 2>/dev/null; then
  echo "setup: installing Python test helpers (safetensors, sentencepiece, numpy)"
  python3 -m pip install -q safetensors sentencepiece numpy 2>/dev/null \
    || python3 -m pip install -q --break-system-packages safetensors sentencepiece numpy
fi
