#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rankme/core/dtype.h"

namespace rankme::io {

/// A tensor a PyTorch pickle rebuilds: which storage it views and how.
struct PickleTensor {
  std::string storage_key;  ///< member `<prefix>/data/<key>` holding the storage
  DType dtype = DType::kFloat32;
  std::int64_t storage_numel = 0;   ///< elements the storage declares
  std::int64_t storage_offset = 0;  ///< in elements
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;  ///< in elements
};

/// One value of an unpickled document. Containers refer to other values by index into
/// PickleDocument::values, so shared and even cyclic references cost nothing and leak nothing.
struct PickleValue {
  enum class Kind : std::uint8_t {
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,  ///< str or bytes
    kList,
    kTuple,
    kDict,     ///< dict or collections.OrderedDict; items are key, value, key, value, ...
    kGlobal,   ///< an allowed callable or type, `text` = "module.name"
    kStorage,  ///< a persistent-id storage reference; `integer` indexes tensors (key, dtype,
               ///< numel set; no view yet)
    kTensor,   ///< a rebuilt tensor; `integer` indexes PickleDocument::tensors
  };
  Kind kind = Kind::kNone;
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string text;
  std::vector<std::size_t> items;
};

/// The result of ParsePickle: every value created, and the one STOP returned.
struct PickleDocument {
  std::vector<PickleValue> values;
  std::vector<PickleTensor> tensors;
  std::size_t root = 0;
};

/// Bounds that keep a hostile pickle from costing more than its size justifies.
struct PickleLimits {
  std::size_t max_stack = std::size_t{1} << 20;   ///< values on the stack (default 1 Mi)
  std::size_t max_memo = std::size_t{1} << 20;    ///< memo entries (default 1 Mi)
  std::size_t max_values = std::size_t{1} << 20;  ///< values created in all (default 1 Mi)
};

/// A restricted unpickler for what torch.save writes (protocols 2–5). It executes nothing: it
/// understands plain containers, strings, numbers, bools, None, collections.OrderedDict, the
/// torch tensor rebuild functions (torch._utils._rebuild_tensor_v2, _rebuild_tensor,
/// _rebuild_parameter, torch._tensor._rebuild_from_type_v2 on Tensor/Parameter), typed storage
/// classes (torch.FloatStorage, HalfStorage, BFloat16Storage, DoubleStorage, LongStorage,
/// IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage, UntypedStorage) through
/// persistent ids ('storage', type, key, location, numel). Any other global is refused with
/// FormatError "refusing to load global 'os.system' (only tensors and plain containers are
/// allowed)"; numpy arrays are refused the same way with a hint. Unknown opcodes, stack
/// underflow, truncated input and any limit exceeded are FormatErrors naming `source`.
PickleDocument ParsePickle(std::string_view bytes, const std::string& source,
                           const PickleLimits& limits = {});

}  // namespace rankme::io
