// C shim over SentencePiece's C++ API. Kept small: every function converts, calls, converts back.
#include "csentencepiece.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace sentencepiece {
namespace logging {
void SetMinLogLevel(int v);  // exported by libsentencepiece, not declared in its public headers
}
}  // namespace sentencepiece

struct csp_processor {
  sentencepiece::SentencePieceProcessor sp;
};

static char *copy_string(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

static void set_error(char **error, const std::string &message) {
  if (error != nullptr) *error = copy_string(message);
}

extern "C" csp_processor *csp_load_from_bytes(const void *data, size_t length, char **error) {
  auto *processor = new (std::nothrow) csp_processor();
  if (processor == nullptr) {
    set_error(error, "out of memory");
    return nullptr;
  }
  try {
    auto status = processor->sp.LoadFromSerializedProto(
        absl::string_view(static_cast<const char *>(data), length));
    if (!status.ok()) {
      set_error(error, status.ToString());
      delete processor;
      return nullptr;
    }
  } catch (const std::exception &e) {
    set_error(error, e.what());
    delete processor;
    return nullptr;
  }
  return processor;
}

extern "C" void csp_processor_free(csp_processor *processor) { delete processor; }

extern "C" int32_t csp_vocab_size(const csp_processor *processor) { return processor->sp.GetPieceSize(); }

extern "C" char *csp_id_to_piece(const csp_processor *processor, int32_t id) {
  if (id < 0 || id >= processor->sp.GetPieceSize()) return nullptr;
  return copy_string(processor->sp.IdToPiece(id));
}

extern "C" int32_t csp_piece_to_id(const csp_processor *processor, const char *piece, size_t length) {
  return processor->sp.PieceToId(absl::string_view(piece, length));
}

extern "C" int csp_is_control(const csp_processor *processor, int32_t id) {
  return processor->sp.IsControl(id) ? 1 : 0;
}

extern "C" int csp_is_byte(const csp_processor *processor, int32_t id) { return processor->sp.IsByte(id) ? 1 : 0; }

extern "C" int csp_is_unknown(const csp_processor *processor, int32_t id) {
  return processor->sp.IsUnknown(id) ? 1 : 0;
}

extern "C" int32_t *csp_encode(const csp_processor *processor, const char *text, size_t length, ptrdiff_t *count,
                               char **error) {
  std::vector<int> ids;
  auto status = processor->sp.Encode(absl::string_view(text, length), &ids);
  if (!status.ok()) {
    *count = -1;
    set_error(error, status.ToString());
    return nullptr;
  }
  *count = static_cast<ptrdiff_t>(ids.size());
  if (ids.empty()) return nullptr;
  auto *out = static_cast<int32_t *>(std::malloc(ids.size() * sizeof(int32_t)));
  if (out == nullptr) {
    *count = -1;
    set_error(error, "out of memory");
    return nullptr;
  }
  for (size_t i = 0; i < ids.size(); ++i) out[i] = static_cast<int32_t>(ids[i]);
  return out;
}

extern "C" char *csp_decode(const csp_processor *processor, const int32_t *ids, size_t count, size_t *length,
                            char **error) {
  std::vector<int> input(ids, ids + count);
  std::string text;
  auto status = processor->sp.Decode(input, &text);
  if (!status.ok()) {
    set_error(error, status.ToString());
    return nullptr;
  }
  *length = text.size();
  return copy_string(text);
}

namespace {
// Feeds in-memory sentences to the trainer.
class ArraySentenceIterator : public sentencepiece::SentenceIterator {
 public:
  ArraySentenceIterator(const char *const *sentences, const size_t *lengths, size_t count)
      : sentences_(sentences), lengths_(lengths), count_(count) {
    Load();
  }
  bool done() const override { return index_ >= count_; }
  void Next() override {
    ++index_;
    Load();
  }
  const std::string &value() const override { return value_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  void Load() {
    if (index_ < count_) value_.assign(sentences_[index_], lengths_[index_]);
  }
  const char *const *sentences_;
  const size_t *lengths_;
  size_t count_;
  size_t index_ = 0;
  std::string value_;
};
}  // namespace

extern "C" char *csp_train(const char *const *keys, const char *const *values, size_t option_count,
                           const char *const *sentences, const size_t *lengths, size_t sentence_count,
                           size_t *model_length, char **error) {
  std::unordered_map<std::string, std::string> options;
  for (size_t i = 0; i < option_count; ++i) options[keys[i]] = values[i];
  ArraySentenceIterator iterator(sentences, lengths, sentence_count);
  std::string model;
  try {
    auto status = sentencepiece::SentencePieceTrainer::Train(options, &iterator, &model);
    if (!status.ok()) {
      set_error(error, status.ToString());
      return nullptr;
    }
  } catch (const std::exception &e) {
    set_error(error, e.what());
    return nullptr;
  }
  *model_length = model.size();
  auto *out = static_cast<char *>(std::malloc(model.size() == 0 ? 1 : model.size()));
  if (out == nullptr) {
    set_error(error, "out of memory");
    return nullptr;
  }
  std::memcpy(out, model.data(), model.size());
  return out;
}

extern "C" void csp_set_min_log_level(int level) { sentencepiece::logging::SetMinLogLevel(level); }

extern "C" void csp_free_buffer(void *buffer) { std::free(buffer); }
