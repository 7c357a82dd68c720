#! base: good
import {
  to = modelarts_notebook.a
}
