/*
 * The libwbxml2 peer of `npm run bench`: parses the same WBXML documents as our suites, in this
 * process, for a fixed time each, and prints one JSON line per document:
 *   {"name":..., "treeOpsPerSec":..., "xmlOpsPerSec":...}
 * "tree" is wbxml_tree_from_wbxml (libwbxml's parse into its document tree, then freed);
 * "xml" is wbxml_conv_wbxml2xml_withlen (parse and write XML, what wbxml2xml does).
 * With "tree" as the second argument only the tree is timed, for the whole time given.
 * Input on stdin: lines "name hexdocument". Built against Debian's libwbxml2-dev:
 *   cc -O2 libwbxml-bench.c $(pkg-config --cflags --libs libwbxml2)
 * The tree API is exported by libwbxml2 but its header is not installed: declared here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wbxml/wbxml.h>

typedef struct WBXMLTree_s WBXMLTree;
WBXMLError wbxml_tree_from_wbxml(WB_UTINY *wbxml, WB_ULONG wbxml_len, WBXMLLanguage lang, WBXMLCharsetMIBEnum charset, WBXMLTree **tree);
void wbxml_tree_destroy(WBXMLTree *tree);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int unhex(const char *s, unsigned char *out) {
  int n = 0;
  while (s[0] && s[1] && s[0] != '\n') {
    unsigned int b;
    if (sscanf(s, "%2x", &b) != 1) return -1;
    out[n++] = (unsigned char)b;
    s += 2;
  }
  return n;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  int treeOnly = argc > 2 && strcmp(argv[2], "tree") == 0;
  static char line[1 << 20];
  static unsigned char doc[1 << 19];
  while (fgets(line, sizeof line, stdin)) {
    char *space = strchr(line, ' ');
    if (!space) continue;
    *space = 0;
    int len = unhex(space + 1, doc);
    if (len <= 0) continue;
    /* tree */
    long n = 0;
    double start = now(), end = start + (treeOnly ? seconds : seconds / 2);
    WBXMLError last = WBXML_OK;
    while (now() < end) {
      for (int i = 0; i < 100; i++) {
        WBXMLTree *tree = NULL;
        last = wbxml_tree_from_wbxml(doc, (WB_ULONG)len, WBXML_LANG_UNKNOWN, WBXML_CHARSET_UNKNOWN, &tree);
        if (tree) wbxml_tree_destroy(tree);
      }
      n += 100;
    }
    double treeRate = n / (now() - start);
    /* wbxml -> xml */
    double xmlRate = 0;
    if (!treeOnly) {
      n = 0;
      start = now();
      end = start + seconds / 2;
      WBXMLGenXMLParams params = { WBXML_GEN_XML_COMPACT, WBXML_LANG_UNKNOWN, WBXML_CHARSET_UNKNOWN, 0, FALSE };
      while (now() < end) {
        for (int i = 0; i < 100; i++) {
          WB_UTINY *xml = NULL;
          WB_ULONG xml_len = 0;
          wbxml_conv_wbxml2xml_withlen(doc, (WB_ULONG)len, &xml, &xml_len, &params);
          free(xml);
        }
        n += 100;
      }
      xmlRate = n / (now() - start);
    }
    printf("{\"name\":\"%s\",\"octets\":%d,\"treeOpsPerSec\":%.0f,\"xmlOpsPerSec\":%.0f,\"treeStatus\":%d}\n", line, len, treeRate, xmlRate, (int)last);
    fflush(stdout);
  }
  return 0;
}
