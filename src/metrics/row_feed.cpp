#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <string>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"

namespace rankme::metrics::internal {

namespace {

// Returns the largest |value| when every value is finite; else throws naming the first bad one.
template <typename T>
double CheckFinite(const T* values, std::int64_t first_row, std::int64_t count, std::int64_t cols,
                   const std::string& source) {
  const std::int64_t total = count * cols;
  const double max_abs = MaxAbs(values, static_cast<std::size_t>(total));
  if (std::isfinite(max_abs)) return max_abs;
  for (std::int64_t i = 0; i < total; ++i) {
    if (!std::isfinite(values[i])) {
      throw DataError(fmt::format("non-finite value ({}) at row {}, column {} (0-based)",
                                  static_cast<double>(values[i]), first_row + i / cols, i % cols),
                      source);
    }
  }
  return max_abs;  // not reached: a non-finite maximum comes from a non-finite value
}

// A block as read: its rows, and where they start in the stream when they are consecutive rows
// still to be checked for NaN/Inf (first_row < 0: checked already, or not to be checked).
struct ReadBlock {
  std::int64_t count = 0;
  std::int64_t first_row = -1;
};

// The plan's blocks in order, each read into the buffer the caller gives: the reading half of
// FeedRows, so that several lanes can take turns at it.
template <typename T>
class BlockReader {
 public:
  BlockReader(RowStream& stream, const RowPlan& plan, std::int64_t block_rows)
      : stream_(stream), plan_(plan), block_rows_(block_rows), cols_(stream.info().cols) {}

  // Reads the next block into `block` (room for block_rows × cols values); count 0 at the end.
  ReadBlock Next(T* block) {
    const MatrixInfo& info = stream_.info();
    if (plan_.selected.empty()) {
      const std::int64_t count = std::min(block_rows_, info.rows - first_);
      if (count <= 0) return {};
      stream_.ReadRows(first_, count, block);
      const ReadBlock out{count, plan_.scan_all ? first_ : -1};
      first_ += count;
      return out;
    }
    return plan_.scan_all ? NextFromWindows(block) : NextByRuns(block);
  }

 private:
  // Selected rows copied out of consecutive windows, every window checked: all rows of the
  // stream are read, those after the last selected one included.
  ReadBlock NextFromWindows(T* block) {
    const MatrixInfo& info = stream_.info();
    const std::span<const std::int64_t> selected = plan_.selected;
    if (window_.empty()) window_.resize(static_cast<std::size_t>(block_rows_ * cols_));
    std::int64_t filled = 0;
    while (filled < block_rows_) {
      if (next_ < selected.size() && selected[next_] < window_first_ + window_count_) {
        const T* row = window_.data() + (selected[next_] - window_first_) * cols_;
        std::copy(row, row + cols_, block + filled * cols_);
        ++filled;
        ++next_;
        continue;
      }
      // The window holds no more selected rows: the next one, or the end of the stream.
      window_first_ += window_count_;
      window_count_ = std::min(block_rows_, info.rows - window_first_);
      if (window_count_ <= 0) break;
      stream_.ReadRows(window_first_, window_count_, window_.data());
      CheckFinite(window_.data(), window_first_, window_count_, cols_, info.source);
    }
    return {filled, -1};
  }

  // Runs of consecutive selected rows read in one call each, straight into the block.
  ReadBlock NextByRuns(T* block) {
    const std::span<const std::int64_t> selected = plan_.selected;
    std::int64_t filled = 0;
    while (next_ < selected.size() && filled < block_rows_) {
      std::size_t run = 1;
      while (next_ + run < selected.size() &&
             selected[next_ + run] == selected[next_] + static_cast<std::int64_t>(run) &&
             filled + static_cast<std::int64_t>(run) < block_rows_) {
        ++run;
      }
      const auto count = static_cast<std::int64_t>(run);
      stream_.ReadRows(selected[next_], count, block + filled * cols_);
      next_ += run;
      filled += count;
    }
    return {filled, -1};
  }

  RowStream& stream_;
  const RowPlan& plan_;
  const std::int64_t block_rows_;
  const std::int64_t cols_;
  std::int64_t first_ = 0;  // next row, when every row is scored
  std::size_t next_ = 0;    // next selected row
  std::vector<T> window_;   // selected rows with scan_all: the rows around them
  std::int64_t window_first_ = 0, window_count_ = 0;
};

template <typename T>
void Feed(RowStream& stream, const RowPlan& plan, std::int64_t block_rows, int lanes, int threads,
          const std::function<void(int, T*, std::int64_t, double)>& sink) {
  lanes = std::max(lanes, 1);
  threads = std::clamp(threads, 1, lanes);
  const std::int64_t cols = stream.info().cols;
  const std::string& source = stream.info().source;
  BlockReader<T> reader(stream, plan, block_rows);
  std::vector<std::vector<T>> buffers(static_cast<std::size_t>(lanes));
  auto process = [&](int lane, const ReadBlock& read) {
    T* rows = buffers[lane].data();
    const double max_abs =
        read.first_row >= 0 ? CheckFinite(rows, read.first_row, read.count, cols, source) : -1.0;
    sink(lane, rows, read.count, max_abs);
  };
  for (auto& buffer : buffers) buffer.resize(static_cast<std::size_t>(block_rows * cols));
  if (threads == 1) {
    for (int lane = 0;; lane = (lane + 1) % lanes) {
      const ReadBlock read = reader.Next(buffers[lane].data());
      if (read.count == 0) return;
      process(lane, read);
    }
  }
  // Lane L reads blocks L, L + lanes, ... in turn (reads stay in stream order) and processes
  // them while the others read and process theirs. The first failure stops every lane.
  std::mutex mutex;
  std::condition_variable turn_changed;
  std::int64_t turn = 0;  // the block to read next
  bool stop = false;      // the end was reached, or a lane failed
  std::exception_ptr failure;
  auto run_lane = [&](int lane) {
    try {
      for (std::int64_t block = lane;; block += lanes) {
        ReadBlock read;
        {
          std::unique_lock lock(mutex);
          turn_changed.wait(lock, [&] { return stop || turn == block; });
          if (stop) return;
          read = reader.Next(buffers[lane].data());
          ++turn;
          if (read.count == 0) stop = true;
        }
        turn_changed.notify_all();
        if (read.count == 0) return;
        process(lane, read);
      }
    } catch (...) {
      {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      turn_changed.notify_all();
    }
  };
  std::vector<std::future<void>> others;
  for (int lane = 1; lane < threads; ++lane) {
    others.push_back(std::async(std::launch::async, run_lane, lane));
  }
  run_lane(0);
  for (auto& other : others) other.get();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(float*, std::int64_t, double)>& sink) {
  Feed<float>(
      stream, plan, block_rows, 1, 1,
      [&](int, float* rows, std::int64_t count, double max_abs) { sink(rows, count, max_abs); });
}

void FeedRows(RowStream& stream, const RowPlan& plan, std::int64_t block_rows,
              const std::function<void(double*, std::int64_t, double)>& sink) {
  Feed<double>(
      stream, plan, block_rows, 1, 1,
      [&](int, double* rows, std::int64_t count, double max_abs) { sink(rows, count, max_abs); });
}

void FeedRowsInLanes(RowStream& stream, const RowPlan& plan, std::int64_t block_rows, int lanes,
                     int threads,
                     const std::function<void(int, float*, std::int64_t, double)>& sink) {
  Feed(stream, plan, block_rows, lanes, threads, sink);
}

void FeedRowsInLanes(RowStream& stream, const RowPlan& plan, std::int64_t block_rows, int lanes,
                     int threads,
                     const std::function<void(int, double*, std::int64_t, double)>& sink) {
  Feed(stream, plan, block_rows, lanes, threads, sink);
}

std::int64_t BlockRows(std::size_t block_bytes, std::int64_t cols, std::size_t bytes_per_value,
                       std::int64_t cap) {
  const auto per_row = static_cast<std::size_t>(std::max<std::int64_t>(cols, 1)) *
                       std::max<std::size_t>(bytes_per_value, 1);
  const auto rows = static_cast<std::int64_t>(block_bytes / per_row);
  return std::clamp<std::int64_t>(rows, 1, std::max<std::int64_t>(cap, 1));
}

}  // namespace rankme::metrics::internal
