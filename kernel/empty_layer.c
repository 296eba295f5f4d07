/* Stands in for the sources of a layer directory that has none yet, so the
 * build stays one shape while the layers are written bottom-up. */
typedef int fl_empty_layer_t;
