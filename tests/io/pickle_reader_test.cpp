#include "rankme/io/pickle_reader.h"

#include <catch2/catch.hpp>

#include "rankme/core/error.h"

namespace rankme::io {
namespace {

using Kind = PickleValue::Kind;
using namespace std::string_literals;

const PickleValue& Root(const PickleDocument& doc) { return doc.values[doc.root]; }

TEST_CASE("Pickle reads plain containers, numbers and strings", "[formats]") {
  // pickle.dumps({'a': [1, -2, 300, 70000, 2**40, -2**40], 'b': (1.5, True, None)}, protocol=2)
  // assembled by hand: EMPTY_DICT, BINPUT, MARK, BINUNICODE, EMPTY_LIST, APPENDS, ...
  const std::string bytes =
      "\x80\x02}q\x00(X\x01\x00\x00\x00"
      "aq\x01]q\x02(K\x01J\xfe\xff\xff\xffM,\x01J"
      "p\x11\x01\x00\x8a\x06\x00\x00\x00\x00\x00\x01\x8a\x06\x00\x00\x00\x00\x00\xff"
      "eX\x01\x00\x00\x00"
      "bq\x03G?\xf8\x00\x00\x00\x00\x00\x00\x88N\x87q\x04u."s;
  const PickleDocument doc = ParsePickle(bytes, "mem");
  const PickleValue& root = Root(doc);
  REQUIRE(root.kind == Kind::kDict);
  REQUIRE(root.items.size() == 4);
  CHECK(doc.values[root.items[0]].text == "a");
  const PickleValue& list = doc.values[root.items[1]];
  REQUIRE(list.kind == Kind::kList);
  std::vector<std::int64_t> ints;
  for (std::size_t i : list.items) ints.push_back(doc.values[i].integer);
  CHECK(ints == std::vector<std::int64_t>{1, -2, 300, 70000, std::int64_t{1} << 40,
                                          -(std::int64_t{1} << 40)});
  const PickleValue& tuple = doc.values[root.items[3]];
  REQUIRE(tuple.kind == Kind::kTuple);
  CHECK(doc.values[tuple.items[0]].real == 1.5);
  CHECK(doc.values[tuple.items[1]].boolean);
  CHECK(doc.values[tuple.items[2]].kind == Kind::kNone);
}

TEST_CASE("Pickle memo shares values and a self-containing list costs nothing", "[formats]") {
  // l = []; l.append(l): EMPTY_LIST BINPUT 0 BINGET 0 APPEND STOP
  const PickleDocument doc = ParsePickle(
      "\x80\x02]q\x00h\x00"
      "a."s,
      "mem");
  const PickleValue& root = Root(doc);
  REQUIRE(root.items.size() == 1);
  CHECK(root.items[0] == doc.root);
}

TEST_CASE("Pickle rebuilds a tensor from a persistent storage id", "[formats]") {
  const std::string bytes =
      "\x80\x02\x63torch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
      "ctorch\nHalfStorage\nX\x01\x00\x00\x00\x30X\x06\x00\x00\x00\x63uda:0K\x0ctQK\x02K\x03K\x02"
      "\x86K\x01K\x03\x86\x89\x63\x63ollections\nOrderedDict\n)RtR."s;
  const PickleDocument doc = ParsePickle(bytes, "mem");
  REQUIRE(Root(doc).kind == Kind::kTensor);
  const PickleTensor& tensor = doc.tensors[static_cast<std::size_t>(Root(doc).integer)];
  CHECK(tensor.storage_key == "0");
  CHECK(tensor.dtype == DType::kFloat16);
  CHECK(tensor.storage_numel == 12);
  CHECK(tensor.storage_offset == 2);
  CHECK(tensor.shape == std::vector<std::int64_t>{3, 2});
  CHECK(tensor.strides == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("Pickle refuses every global outside the allow-list, before calling anything",
          "[formats]") {
  for (const std::string& global :
       {"os\nsystem\n"s, "builtins\neval\n"s, "subprocess\nPopen\n"s, "posix\nsystem\n"s,
        "torch\nload\n"s, "numpy.core.multiarray\n_reconstruct\n"s, "collections\ndeque\n"s}) {
    INFO(global);
    const std::string bytes = "\x80\x02\x63" + global + "X\x02\x00\x00\x00id\x85R."s;
    CHECK_THROWS_WITH(ParsePickle(bytes, "mem"), Catch::Contains("refusing to load global"));
  }
  // STACK_GLOBAL (protocol 4) is checked the same way.
  const std::string stacked = "\x80\x04\x8c\x02os\x8c\x06system\x93."s;
  CHECK_THROWS_WITH(
      ParsePickle(stacked, "mem"),
      Catch::Contains("refusing to load global 'os.system' (only tensors and plain containers are "
                      "allowed)"));
}

TEST_CASE("Pickle rejects malformed input with FormatError", "[formats]") {
  const std::vector<std::string> bad = {
      ""s,
      "\x80\x02"s,                                               // no STOP
      "\x80\x02."s,                                              // STOP on empty stack
      "\x80\x02X\xff\xff\xff\x7f"s,                              // string longer than the input
      "\x80\x02h\x05."s,                                         // memo key never stored
      "\x80\x02K\x01K\x02s."s,                                   // SETITEM on an int
      "\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."s,  // 9-byte integer
      "\x80\x02(K\x01"
      "e."s,                // APPENDS without a list
      "\x80\x02I1\n."s,     // protocol-0 INT: unsupported
      "\x80\x09N."s,        // unknown protocol
      "\x80\x02)K\x01R."s,  // REDUCE on a non-callable
      "\x80\x02]K\x01Q."s,  // persistent id that is not a tuple
  };
  for (const std::string& bytes : bad) {
    INFO(bytes.size());
    CHECK_THROWS_AS(ParsePickle(bytes, "mem"), FormatError);
  }
}

TEST_CASE("Pickle limits bound the stack, memo and values", "[formats]") {
  PickleLimits limits;
  limits.max_stack = 100;
  limits.max_memo = 10;
  limits.max_values = 50;
  const std::string nones = "\x80\x02"s + std::string(60, 'N') + ".";
  CHECK_THROWS_WITH(ParsePickle(nones, "m", limits), Catch::Contains("too many values"));
  std::string memo = "\x80\x02N"s;
  for (int i = 0; i < 11; ++i) memo += "q"s + static_cast<char>(i);
  CHECK_THROWS_WITH(ParsePickle(memo + ".", "m", limits), Catch::Contains("memo too large"));
  std::string dup = "\x80\x02N"s + std::string(200, '2') + ".";
  CHECK_THROWS_WITH(ParsePickle(dup, "m", limits), Catch::Contains("stack too deep"));
}

}  // namespace
}  // namespace rankme::io
