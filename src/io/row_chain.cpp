#include "rankme/io/row_chain.h"

#include "io/torch_row_chain_internal.h"

namespace rankme::io {

std::unique_ptr<RowStream> ConcatenateRows(MatrixInfo info, std::vector<RowPart> parts) {
  std::vector<RowChainPart> chain;
  chain.reserve(parts.size());
  for (auto& part : parts) chain.push_back({part.rows, std::move(part.open)});
  return std::make_unique<RowChain>(std::move(info), std::move(chain));
}

}  // namespace rankme::io
