#! base: good
import {
  to = modelarts_notebook.nope
  id = "x"
}
