/* Not a test of the library: scripts/test-c expects LeakSanitizer to report
 * this leak, proving leak checking is on for the real tests. */
#include <stdlib.h>

void *volatile sink;

int main(void) {
    sink = malloc(64);
    sink = NULL;
    return 0;
}
