// json-c, the parser behind every JSONL file the project reads.
#include <json.h>
