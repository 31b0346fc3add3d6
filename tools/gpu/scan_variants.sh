# Sourced by tools/gpu/scan_check.sh and tools/scan_sass.sh: the tiled forward's layouts by name,
# each with the environment that selects it (src/cuda/launch.rs documents each variable).
#   default: the process defaults (the fmah layout); epi: one channel per thread, bf16 B/C staged
#   as 16-bit values, partial sums added by shuffles, u and z kept in registers for the epilogue;
#   fmah: epi with the state update as one FFMA on h's chain; c32: epi with C staged as f32;
#   fmahc32: both; mmay: fmah with y = C·h on the tensor cores; mmayc32: mmay with C staged as
#   f32; mmay32: mmay with B and C staged as f32; mmaya, mmay32a (mmaya2, mmay32a2): mmay, mmay32
#   with each group's decays computed one (two) groups early; mmays2, mmayas2, mmay32as2: mmay,
#   mmaya, mmay32a with 2 states per thread (8 threads per channel, twice the warps);
#   mmays2tr16: mmays2 with 16 channels per block; mmays2ne: mmays2 with D u and silu(z) staged
#   in shared memory, so that the warps that staged B and C run the epilogue; epi32: epi with
#   bf16 B/C staged as f32; yred: D u and silu(z) staged in shared memory (yred_np: with the
#   backward's scalar epilogue accesses); bc16r1: yred without the shuffles; rpt1: B/C staged as
#   f32; rpt2: two channels per thread; bc16: rpt2 with 16-bit B/C; rpt2_tr16: rpt2 with 16
#   channels per block. Each layout is epi's knobs followed by those it changes (env applies them
#   in order, so the later value wins); FMA_H is off in every layout but fmah, fmahc32 and the
#   mmay ones, as when those layouts were timed; MMA_Y in all but the mmay ones.
F=SSM_SCAN_FWD
EPI="${F}_RPT=1 ${F}_BC16=1 ${F}_C32=0 ${F}_YRED=1 ${F}_EPI_REGS=1 ${F}_FMA_H=0 ${F}_MMA_Y=0 ${F}_AHEAD=0 ${F}_SPT=4"
RPT2="$EPI ${F}_RPT=2 ${F}_BC16=0 ${F}_YRED=0 ${F}_EPI_REGS=0"
MMAY="$EPI ${F}_FMA_H=1 ${F}_MMA_Y=1"
declare -A VARENV=(
  [default]="${F}=tile"
  [epi]="$EPI"
  [c32]="$EPI ${F}_C32=1"
  [fmah]="$EPI ${F}_FMA_H=1"
  [fmahc32]="$EPI ${F}_C32=1 ${F}_FMA_H=1"
  [mmay]="$MMAY"
  [mmayc32]="$MMAY ${F}_C32=1"
  [mmay32]="$MMAY ${F}_BC16=0"
  [mmaya]="$MMAY ${F}_AHEAD=1"
  [mmay32a]="$MMAY ${F}_BC16=0 ${F}_AHEAD=1"
  [mmaya2]="$MMAY ${F}_AHEAD=2"
  [mmay32a2]="$MMAY ${F}_BC16=0 ${F}_AHEAD=2"
  [mmays2]="$MMAY ${F}_SPT=2"
  [mmayas2]="$MMAY ${F}_AHEAD=1 ${F}_SPT=2"
  [mmays2tr16]="$MMAY ${F}_SPT=2 SSM_SCAN_TILE_ROWS_FWD=16"
  [mmays2ne]="$MMAY ${F}_SPT=2 ${F}_EPI_REGS=0"
  [mmay32as2]="$MMAY ${F}_BC16=0 ${F}_AHEAD=1 ${F}_SPT=2"
  [epi32]="$EPI ${F}_BC16=0"
  [yred]="$EPI ${F}_EPI_REGS=0"
  [yred_np]="$EPI ${F}_EPI_REGS=0 SSM_SCAN_BWD_PAIRS=0"
  [bc16r1]="$EPI ${F}_YRED=0 ${F}_EPI_REGS=0"
  [rpt1]="$EPI ${F}_BC16=0 ${F}_YRED=0 ${F}_EPI_REGS=0"
  [rpt2]="$RPT2"
  [bc16]="$RPT2 ${F}_BC16=1"
  [rpt2_tr16]="$RPT2 SSM_SCAN_TILE_ROWS_FWD=16")
unset F EPI RPT2 MMAY
