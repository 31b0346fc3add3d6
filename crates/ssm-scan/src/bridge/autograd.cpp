// A torch::autograd::Function for the selective scan whose forward and backward call back into
// Rust. Tensors cross the boundary as at::Tensor* handles (the representation torch-sys uses);
// optional inputs are undefined tensors. Errors cross as text in a caller-provided buffer.
#include <torch/torch.h>
#include <c10/core/CachingDeviceAllocator.h>
#include <dlfcn.h>

#include <optional>

#include <cstring>
#include <stdexcept>
#include <string>

namespace {

constexpr int kInputs = 9;  // u, delta, A, B, C, D, z, delta_bias, h0

// Rust: forward(flags, inputs[9], outputs[3] (y, last_state, stored states), err, errlen) -> 0 | 1.
// Each output slot receives a heap at::Tensor* that C++ takes over.
using ForwardFn = int (*)(int64_t, at::Tensor* const*, at::Tensor**, char*, size_t);
// Rust: backward(flags, saved[10] (inputs, stored states), grads[2] (dy, dlast), outputs[9], err, errlen).
using BackwardFn = int (*)(int64_t, at::Tensor* const*, at::Tensor* const*, at::Tensor**, char*, size_t);

constexpr size_t kErrLen = 4096;

at::Tensor take(at::Tensor* p) {
  if (p == nullptr) return at::Tensor();
  at::Tensor t = std::move(*p);
  delete p;
  return t;
}

struct SelectiveScanFn : public torch::autograd::Function<SelectiveScanFn> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, at::Tensor u,
                                                at::Tensor delta, at::Tensor A, at::Tensor B, at::Tensor C,
                                                std::optional<at::Tensor> D_opt, std::optional<at::Tensor> z_opt,
                                                std::optional<at::Tensor> bias_opt, std::optional<at::Tensor> h0_opt,
                                                int64_t flags, int64_t fwd_ptr, int64_t bwd_ptr) {
    // Absent optional inputs are not autograd inputs at all (autograd needs a device for
    // every tensor input); inside, they are undefined tensors.
    at::Tensor D = D_opt.value_or(at::Tensor()), z = z_opt.value_or(at::Tensor());
    at::Tensor delta_bias = bias_opt.value_or(at::Tensor()), h0 = h0_opt.value_or(at::Tensor());
    auto fwd = reinterpret_cast<ForwardFn>(fwd_ptr);
    at::Tensor* in[kInputs] = {&u, &delta, &A, &B, &C, &D, &z, &delta_bias, &h0};
    at::Tensor* out[3] = {nullptr, nullptr, nullptr};
    char err[kErrLen];
    err[0] = 0;
    if (fwd(flags, in, out, err, kErrLen) != 0) {
      for (auto* p : out) take(p);
      throw std::runtime_error(std::string(err));
    }
    at::Tensor y = take(out[0]);
    at::Tensor last = take(out[1]);
    at::Tensor stored = take(out[2]);
    ctx->save_for_backward({u, delta, A, B, C, D, z, delta_bias, h0, stored});
    ctx->saved_data["flags"] = flags;
    ctx->saved_data["bwd"] = bwd_ptr;
    ctx->set_materialize_grads(false);
    return {y, last};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    int64_t flags = ctx->saved_data["flags"].toInt();
    auto bwd = reinterpret_cast<BackwardFn>(ctx->saved_data["bwd"].toInt());
    // Bits 8..16 of the flags tell the kernel which input gradients are wanted. Autograd
    // numbers only the inputs that were present.
    int edge = 0;
    for (int i = 0; i < kInputs; ++i) {
      if (!saved[i].defined()) continue;
      if (ctx->needs_input_grad(edge)) flags |= (int64_t{1} << (8 + i));
      ++edge;
    }
    at::Tensor* sv[kInputs + 1];
    for (int i = 0; i < kInputs + 1; ++i) sv[i] = &saved[i];
    at::Tensor dy = grads.size() > 0 ? grads[0] : at::Tensor();
    at::Tensor dlast = grads.size() > 1 ? grads[1] : at::Tensor();
    at::Tensor* g[2] = {&dy, &dlast};
    at::Tensor* out[kInputs] = {nullptr};
    char err[kErrLen];
    err[0] = 0;
    if (bwd(flags, sv, g, out, err, kErrLen) != 0) {
      for (auto* p : out) take(p);
      throw std::runtime_error(std::string(err));
    }
    torch::autograd::variable_list result;
    for (int i = 0; i < kInputs; ++i) result.push_back(take(out[i]));
    // flags, fwd_ptr, bwd_ptr: no gradient.
    result.push_back(at::Tensor());
    result.push_back(at::Tensor());
    result.push_back(at::Tensor());
    return result;
  }
};

void write_err(char* err, size_t errlen, const char* msg) {
  if (errlen == 0) return;
  std::strncpy(err, msg, errlen - 1);
  err[errlen - 1] = 0;
}

// Runs body (which returns 0 on success) and turns a C++ exception into 1, its message in err.
template <typename Body>
int guarded(char* err, size_t errlen, Body&& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    write_err(err, errlen, e.what_without_backtrace());
  } catch (const std::exception& e) {
    write_err(err, errlen, e.what());
  } catch (...) {
    write_err(err, errlen, "unknown C++ exception");
  }
  return 1;
}

}  // namespace

extern "C" {

// Applies the function. inputs: 9 handles (undefined for absent inputs). On success writes two
// heap tensors (y, last_state) to out_y / out_last and returns 0; else writes err and returns 1.
int ssm_scan_autograd_apply(int64_t flags, void* fwd, void* bwd, at::Tensor* const* inputs, at::Tensor** out_y,
                            at::Tensor** out_last, char* err, size_t errlen) {
  return guarded(err, errlen, [&] {
    auto opt = [&](int i) {
      return inputs[i]->defined() ? std::optional<at::Tensor>(*inputs[i]) : std::optional<at::Tensor>();
    };
    auto res = SelectiveScanFn::apply(*inputs[0], *inputs[1], *inputs[2], *inputs[3], *inputs[4], opt(5), opt(6),
                                      opt(7), opt(8), flags,
                                      reinterpret_cast<int64_t>(fwd), reinterpret_cast<int64_t>(bwd));
    *out_y = new at::Tensor(res[0]);
    *out_last = new at::Tensor(res[1]);
    return 0;
  });
}

// The CUDA stream libtorch currently uses on `device`, through the C shim that libtorch_cuda
// exports (aoti_torch_get_current_cuda_stream). Returns 0 and writes the stream, or 1 when the
// symbol is not there (a CPU-only libtorch) or the call fails.
int ssm_scan_current_cuda_stream(int32_t device, void** stream) {
  using GetStream = int32_t (*)(int32_t, void**);
  static GetStream fn = reinterpret_cast<GetStream>(dlsym(RTLD_DEFAULT, "aoti_torch_get_current_cuda_stream"));
  if (fn == nullptr) return 1;
  return fn(device, stream) == 0 ? 0 : 1;
}

// Bytes held by libtorch's CUDA caching allocator on `device` now and at their peak since the
// last reset (allocated_bytes, all pools); reset != 0 resets the peak first. Returns 0, or 1 with
// err written (no CUDA allocator: a CPU-only libtorch).
int ssm_scan_cuda_allocated(int32_t device, int32_t reset, int64_t* current, int64_t* peak, char* err, size_t errlen) {
  return guarded(err, errlen, [&] {
    auto* alloc = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    const auto idx = static_cast<c10::DeviceIndex>(device);
    if (reset != 0) alloc->resetPeakStats(idx);
    const auto stats = alloc->getDeviceStats(idx);
    const auto& all = stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)];
    *current = all.current;
    *peak = all.peak;
    return 0;
  });
}

// Frees a heap tensor handed over by Rust that C++ did not take (error paths).
void ssm_scan_free_tensor(at::Tensor* t) { delete t; }

}  // extern "C"
