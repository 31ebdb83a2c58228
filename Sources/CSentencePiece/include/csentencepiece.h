#pragma once
// C interface to SentencePiece (placeholder until the Foundation issue lands).
#ifdef __cplusplus
extern "C" {
#endif
int csp_placeholder(void);
#ifdef __cplusplus
}
#endif
