#!/usr/bin/env bash
# Packs a self-contained runtime into .gpu/ (ignored by git) for a GPU machine that has the NVIDIA driver but not this
# checkout's install: node, only the node_modules that dist/nn and the bench scripts load (onnxruntime-node for
# linux-x64, onnxruntime-common, onnx-buf, @bufbuild/protobuf; about 36 MB compressed instead of all of
# node_modules), the Vulkan loader packages the WebGPU EP needs, and enter.sh.
# Usage: npm run build && bash bench/gpu/stage.sh; copy .gpu/ and dist/ to the GPU machine; there, from the project
# root: source .gpu/enter.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
mkdir -p .gpu
if ! ls .gpu/libvulkan1_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update >/dev/null
  (cd .gpu && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)
fi
stage=$(mktemp -d)
cp "$(readlink -f "$(command -v node)")" "$stage/node"
tar -C "$root" --exclude='node_modules/onnxruntime-node/bin/napi-v6/darwin' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/win32' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/arm64' \
  -cf "$stage/nm.tar" node_modules/onnxruntime-node node_modules/onnxruntime-common node_modules/onnx-buf node_modules/@bufbuild
tar -C "$stage" -cf - node nm.tar | xz -T0 -6 > .gpu/rt.tar.xz
rm -rf "$stage"
cp bench/gpu/enter.sh .gpu/enter.sh
du -sh .gpu
