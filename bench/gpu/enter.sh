# Source this on the GPU machine, from the project root, after copying .gpu/ and dist/ there (see stage.sh):
# installs the packed Vulkan loader, unpacks node and the needed node_modules, and points Vulkan at the NVIDIA
# driver so that ONNX Runtime's WebGPU EP can use the GPU. Override VK_DRIVER_FILES and
# __EGL_VENDOR_LIBRARY_FILENAMES where the driver's files live elsewhere (the defaults are where containers with
# the NVIDIA runtime mount them).
for f in .gpu/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/gpu-rt && tar -C /tmp/gpu-rt -xJf .gpu/rt.tar.xz && tar -C . -xf /tmp/gpu-rt/nm.tar
export PATH=/tmp/gpu-rt:$PATH
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json}
node --version
