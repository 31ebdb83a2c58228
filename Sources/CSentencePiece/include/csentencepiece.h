#pragma once
// C interface to SentencePiece (the C++ library), so Swift can use it without C++ interop.
// Every function that can fail returns NULL or a negative value and, when `error` is non-NULL, stores a
// malloc'd message there that the caller releases with csp_free_buffer.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csp_processor csp_processor;

/// Loads a serialized model (the bytes of a .model file).
csp_processor *csp_load_from_bytes(const void *data, size_t length, char **error);
void csp_processor_free(csp_processor *processor);

int32_t csp_vocab_size(const csp_processor *processor);
/// The piece string of `id` (malloc'd, NUL-terminated); NULL when out of range.
char *csp_id_to_piece(const csp_processor *processor, int32_t id);
/// The id of `piece`, or the unk id when the piece is not in the vocabulary.
int32_t csp_piece_to_id(const csp_processor *processor, const char *piece, size_t length);
/// 1 when `id` is a control symbol (pad/bos/eos), a byte piece, or unknown respectively.
int csp_is_control(const csp_processor *processor, int32_t id);
int csp_is_byte(const csp_processor *processor, int32_t id);
int csp_is_unknown(const csp_processor *processor, int32_t id);

/// Encodes UTF-8 `text` into ids. Returns a malloc'd array (possibly NULL when *count is 0); *count is
/// set to the number of ids, or -1 on failure.
int32_t *csp_encode(const csp_processor *processor, const char *text, size_t length, ptrdiff_t *count,
                    char **error);
/// Decodes ids into UTF-8 text (malloc'd, *length bytes, also NUL-terminated); NULL on failure.
/// Ids outside [0, vocab) must be filtered by the caller.
char *csp_decode(const csp_processor *processor, const int32_t *ids, size_t count, size_t *length,
                 char **error);

/// Trains a model. `keys`/`values` are SentencePiece trainer options (e.g. "vocab_size" -> "4096");
/// `sentences` are the training sentences (UTF-8, `lengths` bytes each). On success returns the serialized
/// model (malloc'd, *model_length bytes); NULL on failure.
char *csp_train(const char *const *keys, const char *const *values, size_t option_count,
                const char *const *sentences, const size_t *lengths, size_t sentence_count,
                size_t *model_length, char **error);

/// Silences SentencePiece's informational logging (level: 0 info, 1 warning, 2 error).
void csp_set_min_log_level(int level);

void csp_free_buffer(void *buffer);

#ifdef __cplusplus
}
#endif
