# Sourced by tools/gpu/scan_check.sh and tools/scan_sass.sh: the tiled forward's layouts by name,
# each with the environment that selects it (src/cuda/launch.rs documents each variable).
#   default: the process defaults (the fmah layout); epi: one channel per thread, bf16 B/C staged
#   as 16-bit values, partial sums added by shuffles, u and z kept in registers for the epilogue;
#   fmah: epi with the state update as one FFMA on h's chain; c32: epi with C staged as f32;
#   fmahc32: both; epi32: epi with bf16 B/C staged as f32; yred: D u and silu(z) staged in shared
#   memory (yred_np: with the backward's scalar epilogue accesses); bc16r1: yred without the
#   shuffles; rpt1: B/C staged as f32; rpt2: two channels per thread; bc16: rpt2 with 16-bit B/C;
#   rpt2_tr16: rpt2 with 16 channels per block. A knob a name does not set keeps its default.
declare -A VARENV=(
  [default]="SSM_SCAN_FWD=tile"
  [epi]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_C32=0 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=1 SSM_SCAN_FWD_FMA_H=0"
  [c32]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_C32=1 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=1 SSM_SCAN_FWD_FMA_H=0"
  [fmah]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_C32=0 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=1 SSM_SCAN_FWD_FMA_H=1"
  [fmahc32]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_C32=1 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=1 SSM_SCAN_FWD_FMA_H=1"
  [epi32]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=0 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=1 SSM_SCAN_FWD_FMA_H=0"
  [yred]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_YRED=1 SSM_SCAN_FWD_EPI_REGS=0"
  [yred_np]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_YRED=1 SSM_SCAN_BWD_PAIRS=0 SSM_SCAN_FWD_EPI_REGS=0"
  [bc16r1]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_YRED=0 SSM_SCAN_FWD_EPI_REGS=0"
  [rpt1]="SSM_SCAN_FWD_RPT=1 SSM_SCAN_FWD_BC16=0 SSM_SCAN_FWD_YRED=0 SSM_SCAN_FWD_EPI_REGS=0"
  [rpt2]="SSM_SCAN_FWD_RPT=2 SSM_SCAN_FWD_BC16=0 SSM_SCAN_FWD_YRED=0 SSM_SCAN_FWD_EPI_REGS=0"
  [bc16]="SSM_SCAN_FWD_RPT=2 SSM_SCAN_FWD_BC16=1 SSM_SCAN_FWD_YRED=0 SSM_SCAN_FWD_EPI_REGS=0"
  [rpt2_tr16]="SSM_SCAN_FWD_RPT=2 SSM_SCAN_FWD_BC16=0 SSM_SCAN_FWD_YRED=0 SSM_SCAN_FWD_EPI_REGS=0 SSM_SCAN_TILE_ROWS_FWD=16")
