// true: a static program that does nothing, for the fork+exec loop.
int main(void) { return 0; }
