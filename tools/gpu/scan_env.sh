# Sourced by the scan scripts run on the GPU machine (scan_check.sh, scan_profile.sh,
# ab_time.sh): libtorch's and the CUDA 13 wheels' libraries on the loader path (libnvrtc among
# them), and one NVRTC module cache for every process of the call.
TORCH_LIB=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LD_LIBRARY_PATH="$TORCH_LIB:$(dirname "$TORCH_LIB")/../nvidia/cu13/lib:${LD_LIBRARY_PATH:-}"
export SSM_SCAN_NVRTC_CACHE=/tmp/ssm-scan-nvrtc
