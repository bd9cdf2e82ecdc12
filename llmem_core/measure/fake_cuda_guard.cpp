// A do-nothing CUDA backend for a CPU-only PyTorch build, so that FakeTensorMode tensors that
// claim device="cuda" can run forward, backward and optimizer steps. Nothing here touches a GPU.
//
// Why: the autograd engine and the dispatcher ask for a DeviceGuardImpl for every device they see;
// a CPU build has none for CUDA and aborts ("PyTorch is not linked with support for cuda devices").
// CUDAHooks.isBuilt() = true lets code paths that only check "is CUDA compiled in" proceed.
// Load with ctypes (RTLD_GLOBAL) BEFORE `import torch`; never in a process that has a real GPU.
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <c10/core/impl/FakeGuardImpl.h>

namespace at {  // Registry.h needs the hooks class registered inside namespace `at`.

struct LlmemFakeCUDAHooks final : public CUDAHooksInterface {
  explicit LlmemFakeCUDAHooks(CUDAHooksArgs /*unused*/) {}
  bool isBuilt() const override { return true; }
  bool hasPrimaryContext(DeviceIndex /*device_index*/) const override { return false; }
};

// The registry key must be "CUDAHooks": that is the name getCUDAHooks() asks for.
C10_REGISTER_CLASS(CUDAHooksRegistry, CUDAHooks, LlmemFakeCUDAHooks)

}  // namespace at

// FakeGuardImpl keeps a per-thread "current device" index and does nothing else.
C10_REGISTER_GUARD_IMPL(CUDA, c10::impl::FakeGuardImpl<c10::DeviceType::CUDA>);
