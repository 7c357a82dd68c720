#! base: good
#! args: apply --target modelarts_notebook.a saved.plan
#! expect: cannot change a saved plan
