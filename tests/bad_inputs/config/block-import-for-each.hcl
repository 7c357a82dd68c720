#! base: good
import {
  for_each = ["a"]
  to       = modelarts_notebook.a
  id       = "x"
}
