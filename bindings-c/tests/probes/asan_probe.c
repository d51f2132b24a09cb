/* Not a test of the library: scripts/test-c compiles this with the test flags
 * and expects AddressSanitizer to stop it, proving the sanitizer is linked. */
#include <stdlib.h>

int main(void) {
    char *volatile p = malloc(4);
    if (p == NULL) return 0;
    p[0] = 'x';
    free(p);
    return p[0] == 'x'; /* read after free */
}
