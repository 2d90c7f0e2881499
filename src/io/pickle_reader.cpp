#include "rankme/io/pickle_reader.h"

#include <array>
#include <bit>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include "rankme/core/error.h"

namespace rankme::io {

namespace {

using Kind = PickleValue::Kind;

struct StorageType {
  std::string_view name;
  DType dtype;
};

constexpr std::array<StorageType, 11> kStorageTypes = {{
    {"torch.FloatStorage", DType::kFloat32},
    {"torch.HalfStorage", DType::kFloat16},
    {"torch.BFloat16Storage", DType::kBFloat16},
    {"torch.DoubleStorage", DType::kFloat64},
    {"torch.LongStorage", DType::kInt64},
    {"torch.IntStorage", DType::kInt32},
    {"torch.ShortStorage", DType::kInt16},
    {"torch.CharStorage", DType::kInt8},
    {"torch.ByteStorage", DType::kUInt8},
    {"torch.BoolStorage", DType::kBool},
    {"torch.UntypedStorage", DType::kUInt8},
}};

// Callables and types a PyTorch file may name; everything else is refused.
constexpr std::array<std::string_view, 9> kAllowedGlobals = {
    "collections.OrderedDict",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._tensor._rebuild_from_type_v2",
    "torch.Tensor",
    "torch.nn.parameter.Parameter",
    "torch._C._TensorBase",
};

std::optional<DType> StorageDType(std::string_view global) {
  for (const StorageType& type : kStorageTypes) {
    if (type.name == global) return type.dtype;
  }
  return std::nullopt;
}

class Unpickler {
 public:
  Unpickler(std::string_view bytes, const std::string& source, const PickleLimits& limits)
      : bytes_(bytes), source_(source), limits_(limits) {}

  PickleDocument Run() {
    while (true) {
      const std::size_t at = pos_;
      const auto opcode = static_cast<unsigned char>(Take(1)[0]);
      if (opcode == '.') {
        doc_.root = Pop();
        return std::move(doc_);
      }
      Step(opcode, at);
    }
  }

 private:
  [[noreturn]] void Fail(const std::string& message) const {
    throw FormatError("pickle: " + message, source_);
  }

  std::string_view Take(std::uint64_t count) {
    if (count > bytes_.size() - pos_) {
      Fail("truncated (needs " + std::to_string(count) + " bytes at offset " +
           std::to_string(pos_) + ", " + std::to_string(bytes_.size() - pos_) + " left)");
    }
    const std::string_view out = bytes_.substr(pos_, static_cast<std::size_t>(count));
    pos_ += static_cast<std::size_t>(count);
    return out;
  }

  std::uint64_t TakeUnsigned(int count) {
    const std::string_view raw = Take(static_cast<std::uint64_t>(count));
    std::uint64_t value = 0;
    for (int i = count - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(raw[i]);
    return value;
  }

  std::string_view TakeLine() {
    const std::size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) Fail("truncated text line");
    const std::string_view line = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return line;
  }

  std::size_t New(PickleValue value) {
    if (doc_.values.size() >= limits_.max_values) Fail("too many values");
    doc_.values.push_back(std::move(value));
    return doc_.values.size() - 1;
  }

  void Push(std::size_t index) {
    if (stack_.size() >= limits_.max_stack) Fail("stack too deep");
    stack_.push_back(index);
  }

  void PushNew(PickleValue value) { Push(New(std::move(value))); }

  std::size_t Pop() {
    const std::size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() <= floor) Fail("stack underflow");
    const std::size_t top = stack_.back();
    stack_.pop_back();
    return top;
  }

  std::size_t Top() {
    const std::size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() <= floor) Fail("stack underflow");
    return stack_.back();
  }

  // Pops everything above the last MARK, and the mark.
  std::vector<std::size_t> PopToMark() {
    if (marks_.empty()) Fail("no MARK on the stack");
    const std::size_t floor = marks_.back();
    marks_.pop_back();
    std::vector<std::size_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(floor),
                                   stack_.end());
    stack_.resize(floor);
    return items;
  }

  PickleValue& At(std::size_t index) { return doc_.values[index]; }

  void PushString(std::uint64_t length) {
    PickleValue value;
    value.kind = Kind::kString;
    value.text = std::string(Take(length));
    PushNew(std::move(value));
  }

  void PushInt(std::int64_t integer) {
    PickleValue value;
    value.kind = Kind::kInt;
    value.integer = integer;
    PushNew(std::move(value));
  }

  void PushLong(std::uint64_t length) {
    if (length > 8) Fail("integer of " + std::to_string(length) + " bytes is too large");
    const std::string_view raw = Take(length);
    std::uint64_t bits = 0;
    for (std::size_t i = length; i > 0; --i)
      bits = (bits << 8) | static_cast<unsigned char>(raw[i - 1]);
    if (length > 0 && length < 8 && (static_cast<unsigned char>(raw[length - 1]) & 0x80)) {
      bits |= ~std::uint64_t{0} << (8 * length);  // sign-extend
    }
    PushInt(static_cast<std::int64_t>(bits));
  }

  void PushContainer(Kind kind, std::vector<std::size_t> items) {
    PickleValue value;
    value.kind = kind;
    value.items = std::move(items);
    PushNew(std::move(value));
  }

  void Memoize(std::uint64_t key) {
    if (memo_.size() >= limits_.max_memo && !memo_.count(key)) Fail("memo too large");
    memo_[key] = Top();
  }

  void Recall(std::uint64_t key) {
    const auto it = memo_.find(key);
    if (it == memo_.end()) Fail("memo key " + std::to_string(key) + " was never stored");
    Push(it->second);
  }

  void PushGlobal(std::string module, std::string name) {
    const std::string global = module + "." + name;
    bool allowed = StorageDType(global).has_value();
    for (std::string_view candidate : kAllowedGlobals) allowed = allowed || candidate == global;
    if (!allowed) {
      std::string message = "refusing to load global '" + global +
                            "' (only tensors and plain containers are allowed)";
      if (module.rfind("numpy", 0) == 0) {
        message += "; numpy arrays inside a PyTorch file are not supported: save torch tensors";
      }
      throw FormatError(message, source_);
    }
    PickleValue value;
    value.kind = Kind::kGlobal;
    value.text = global;
    PushNew(std::move(value));
  }

  void AddItems(std::size_t target, const std::vector<std::size_t>& items, bool pairs) {
    PickleValue& container = At(target);
    if (pairs ? container.kind != Kind::kDict : container.kind != Kind::kList) {
      Fail(pairs ? "SETITEM(S) on a value that is not a dict"
                 : "APPEND(S) on a value that is not a list");
    }
    if (pairs && items.size() % 2 != 0) Fail("SETITEMS with an odd number of values");
    container.items.insert(container.items.end(), items.begin(), items.end());
  }

  const PickleValue& Expect(std::size_t index, Kind kind, const char* what) {
    const PickleValue& value = doc_.values[index];
    if (value.kind != kind) Fail(std::string("expected ") + what);
    return value;
  }

  std::vector<std::int64_t> IntTuple(std::size_t index, const char* what) {
    const PickleValue& tuple = doc_.values[index];
    if (tuple.kind != Kind::kTuple && tuple.kind != Kind::kList) {
      Fail(std::string("expected a tuple for ") + what);
    }
    std::vector<std::int64_t> out;
    for (std::size_t item : tuple.items) {
      const PickleValue& value = Expect(item, Kind::kInt, "an integer in a tensor's size/stride");
      if (value.integer < 0) Fail(std::string("negative value in ") + what);
      out.push_back(value.integer);
    }
    return out;
  }

  std::size_t RebuildTensor(const std::vector<std::size_t>& args) {
    if (args.size() < 4) Fail("tensor rebuild with fewer than 4 arguments");
    const PickleValue& storage = Expect(args[0], Kind::kStorage, "a storage as first argument");
    PickleTensor tensor = doc_.tensors[static_cast<std::size_t>(storage.integer)];
    const PickleValue& offset = Expect(args[1], Kind::kInt, "an integer storage offset");
    if (offset.integer < 0) Fail("negative storage offset");
    tensor.storage_offset = offset.integer;
    tensor.shape = IntTuple(args[2], "size");
    tensor.strides = IntTuple(args[3], "stride");
    if (tensor.shape.size() != tensor.strides.size()) Fail("size and stride lengths differ");
    doc_.tensors.push_back(std::move(tensor));
    PickleValue value;
    value.kind = Kind::kTensor;
    value.integer = static_cast<std::int64_t>(doc_.tensors.size() - 1);
    return New(std::move(value));
  }

  // Applies an allowed callable; `depth` stops _rebuild_from_type_v2 from nesting itself.
  std::size_t Apply(std::size_t callable, std::size_t args_index, int depth = 0) {
    const PickleValue& function = Expect(callable, Kind::kGlobal, "a callable for REDUCE");
    const PickleValue& args_value = At(args_index);
    if (args_value.kind != Kind::kTuple) Fail("REDUCE arguments are not a tuple");
    const std::vector<std::size_t> args = args_value.items;
    const std::string name = function.text;
    if (name == "collections.OrderedDict") {
      PickleValue dict;
      dict.kind = Kind::kDict;
      if (!args.empty()) {
        for (std::size_t pair : At(args[0]).items) {
          const PickleValue& kv = At(pair);
          if ((kv.kind != Kind::kTuple && kv.kind != Kind::kList) || kv.items.size() != 2) {
            Fail("OrderedDict items must be pairs");
          }
          dict.items.push_back(kv.items[0]);
          dict.items.push_back(kv.items[1]);
        }
      }
      return New(std::move(dict));
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      return RebuildTensor(args);
    }
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state") {
      if (args.empty()) Fail("parameter rebuild without arguments");
      Expect(args[0], Kind::kTensor, "a tensor inside a parameter");
      return args[0];
    }
    if (name == "torch._tensor._rebuild_from_type_v2" && depth == 0) {
      if (args.size() < 3) Fail("_rebuild_from_type_v2 with fewer than 3 arguments");
      const PickleValue& type = Expect(args[1], Kind::kGlobal, "a tensor type");
      if (type.text != "torch.Tensor" && type.text != "torch.nn.parameter.Parameter") {
        Fail("cannot rebuild a tensor of type " + type.text);
      }
      return Apply(args[0], args[2], depth + 1);
    }
    Fail("'" + name + "' cannot be called here");
  }

  std::size_t PersistentLoad(std::size_t pid_index) {
    const PickleValue& pid = At(pid_index);
    if (pid.kind != Kind::kTuple || pid.items.size() != 5) {
      Fail("persistent id is not a ('storage', type, key, location, numel) tuple");
    }
    const PickleValue& tag = Expect(pid.items[0], Kind::kString, "'storage' in a persistent id");
    if (tag.text != "storage") Fail("unknown persistent id kind '" + tag.text + "'");
    const PickleValue& type = Expect(pid.items[1], Kind::kGlobal, "a storage type");
    const auto dtype = StorageDType(type.text);
    if (!dtype) Fail("'" + type.text + "' is not a storage type");
    const PickleValue& key = Expect(pid.items[2], Kind::kString, "a storage key");
    Expect(pid.items[3], Kind::kString, "a storage location");
    const PickleValue& numel = Expect(pid.items[4], Kind::kInt, "a storage size");
    if (numel.integer < 0) Fail("negative storage size");
    PickleTensor tensor;
    tensor.storage_key = key.text;
    tensor.dtype = *dtype;
    tensor.storage_numel = numel.integer;
    doc_.tensors.push_back(std::move(tensor));
    PickleValue value;
    value.kind = Kind::kStorage;
    value.integer = static_cast<std::int64_t>(doc_.tensors.size() - 1);
    return New(std::move(value));
  }

  void Step(unsigned char opcode, std::size_t at);

  std::string_view bytes_;
  const std::string& source_;
  PickleLimits limits_;
  std::size_t pos_ = 0;
  PickleDocument doc_;
  std::vector<std::size_t> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, std::size_t> memo_;
};

void Unpickler::Step(unsigned char opcode, std::size_t at) {
  switch (opcode) {
    case 0x80: {  // PROTO
      const auto version = static_cast<unsigned char>(Take(1)[0]);
      if (version > 5) Fail("unsupported pickle protocol " + std::to_string(version));
      return;
    }
    case 0x95:  // FRAME: only a hint for buffering
      TakeUnsigned(8);
      return;
    case '(':
      if (marks_.size() >= limits_.max_stack) Fail("too many MARKs");
      marks_.push_back(stack_.size());
      return;
    case '0':
      Pop();
      return;
    case '1':
      PopToMark();
      return;
    case '2':
      Push(Top());
      return;
    case 'N':
      PushNew({});
      return;
    case 0x88:
    case 0x89: {
      PickleValue value;
      value.kind = Kind::kBool;
      value.boolean = opcode == 0x88;
      PushNew(std::move(value));
      return;
    }
    case 'J':
      PushInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(TakeUnsigned(4))));
      return;
    case 'K':
      PushInt(static_cast<std::int64_t>(TakeUnsigned(1)));
      return;
    case 'M':
      PushInt(static_cast<std::int64_t>(TakeUnsigned(2)));
      return;
    case 0x8a:
      PushLong(TakeUnsigned(1));
      return;
    case 0x8b:
      PushLong(TakeUnsigned(4));
      return;
    case 'G': {
      const std::string_view raw = Take(8);
      std::uint64_t bits = 0;
      for (char byte : raw) bits = (bits << 8) | static_cast<unsigned char>(byte);
      PickleValue value;
      value.kind = Kind::kFloat;
      value.real = std::bit_cast<double>(bits);
      PushNew(std::move(value));
      return;
    }
    case 'X':  // BINUNICODE
    case 'T':  // BINSTRING
    case 'B':  // BINBYTES
      PushString(TakeUnsigned(4));
      return;
    case 0x8c:  // SHORT_BINUNICODE
    case 'U':   // SHORT_BINSTRING
    case 'C':   // SHORT_BINBYTES
      PushString(TakeUnsigned(1));
      return;
    case 0x8d:  // BINUNICODE8
    case 0x8e:  // BINBYTES8
      PushString(TakeUnsigned(8));
      return;
    case ']':
      PushContainer(Kind::kList, {});
      return;
    case '}':
      PushContainer(Kind::kDict, {});
      return;
    case ')':
      PushContainer(Kind::kTuple, {});
      return;
    case 'l':
      PushContainer(Kind::kList, PopToMark());
      return;
    case 't':
      PushContainer(Kind::kTuple, PopToMark());
      return;
    case 'd': {
      std::vector<std::size_t> items = PopToMark();
      if (items.size() % 2 != 0) Fail("DICT with an odd number of values");
      PushContainer(Kind::kDict, std::move(items));
      return;
    }
    case 0x85:
    case 0x86:
    case 0x87: {
      std::vector<std::size_t> items(opcode - 0x84);
      for (std::size_t i = items.size(); i > 0; --i) items[i - 1] = Pop();
      PushContainer(Kind::kTuple, std::move(items));
      return;
    }
    case 'a': {
      const std::size_t item = Pop();
      AddItems(Top(), {item}, false);
      return;
    }
    case 'e': {
      const std::vector<std::size_t> items = PopToMark();
      AddItems(Top(), items, false);
      return;
    }
    case 's': {
      const std::size_t value = Pop();
      const std::size_t key = Pop();
      AddItems(Top(), {key, value}, true);
      return;
    }
    case 'u': {
      const std::vector<std::size_t> items = PopToMark();
      AddItems(Top(), items, true);
      return;
    }
    case 'q':
      Memoize(TakeUnsigned(1));
      return;
    case 'r':
      Memoize(TakeUnsigned(4));
      return;
    case 0x94:
      Memoize(memo_.size());
      return;
    case 'h':
      Recall(TakeUnsigned(1));
      return;
    case 'j':
      Recall(TakeUnsigned(4));
      return;
    case 'c': {
      std::string module(TakeLine());
      std::string name(TakeLine());
      PushGlobal(std::move(module), std::move(name));
      return;
    }
    case 0x93: {  // STACK_GLOBAL
      const std::size_t name = Pop();
      const std::size_t module = Pop();
      const std::string name_text = Expect(name, Kind::kString, "a global's name").text;
      PushGlobal(Expect(module, Kind::kString, "a global's module").text, name_text);
      return;
    }
    case 'R':
    case 0x81: {  // REDUCE, NEWOBJ
      const std::size_t args = Pop();
      const std::size_t callable = Pop();
      Push(Apply(callable, args));
      return;
    }
    case 'b': {  // BUILD: state of a tensor subclass or parameter; ignored
      Pop();
      if (At(Top()).kind != Kind::kTensor) Fail("BUILD on a value that is not a tensor");
      return;
    }
    case 'Q':
      Push(PersistentLoad(Pop()));
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      Fail(std::string("unsupported opcode 0x") + kHex[opcode >> 4] + kHex[opcode & 15] +
           " at offset " + std::to_string(at));
    }
  }
}

}  // namespace

PickleDocument ParsePickle(std::string_view bytes, const std::string& source,
                           const PickleLimits& limits) {
  return Unpickler(bytes, source, limits).Run();
}

}  // namespace rankme::io
