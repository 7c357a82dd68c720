#! base: good
#! expect: with for_each, an import's to must name one instance per element
import {
  for_each = ["a"]
  to       = modelarts_notebook.a
  id       = "x"
}
