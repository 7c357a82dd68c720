#! base: good
#! replace: name     = "corpus-a"
name     = "笔记本"
