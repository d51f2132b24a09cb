/* Not a test of the library: scripts/test-c expects UBSan to stop this. */
#include <limits.h>

int main(int argc, char **argv) {
    (void)argv;
    int x = INT_MAX - 1 + argc; /* INT_MAX */
    return x + argc > 0;        /* signed overflow */
}
